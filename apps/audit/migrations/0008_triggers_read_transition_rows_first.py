"""The audit triggers read their transition rows on their own, then join them as a value.

0002's triggers joined a statement's transition table (`new_rows`) with other tables in
one INSERT … SELECT. On a Citus coordinator (docs/scale.md) that join is refused once the
tables joined are managed by Citus: "could not run distributed query with complex table
expressions" (a transition table is neither a table nor a subquery Citus can plan). Each
trigger now first gathers its transition rows into one jsonb value, a query PostgreSQL
plans alone, and then joins `jsonb_populate_recordset(NULL::<table>, rows)`, which gives the
same typed rows back and which Citus plans like any function call. Same rows out, same
statement count, on both engines; a statement that wrote no rows writes no event.
"""

from django.db import migrations

from apps.core.sql_script import sql_statements

FORWARD = r"""
CREATE OR REPLACE FUNCTION audit_redemption_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rows jsonb;
BEGIN
    SELECT jsonb_agg(to_jsonb(n)) INTO rows FROM new_rows n;
    IF rows IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_auditevent
        (at, kind, actor_id, actor_name, ip_address, path, query, object_type, object_id,
         row_count, detail)
    SELECT now(), 'redemption', NULL,
           'till ' || s.code || coalesce(': ' || t.name, ''), NULL, '', '',
           'redemption', r.id::text, NULL,
           jsonb_build_object(
               'transaction_id', p.transaction_id, 'store', s.code, 'till', p.till_id,
               'campaign', r.campaign_id, 'offer', r.offer_id, 'list_item', r.list_item_id,
               'member', r.member_id, 'product', r.product_id,
               'discount', r.discount::text,
               'manufacturer_share', r.manufacturer_share::text)
    FROM jsonb_populate_recordset(NULL::checkout_redemption, rows) r
    JOIN checkout_postransaction p ON p.id = r.pos_transaction_id
    JOIN baskets_store s ON s.id = p.store_id
    LEFT JOIN checkout_tilltoken t ON t.id = p.till_id;
    RETURN NULL;
END $$;

-- The return that caused a reversal is the store's return still being recorded (0002); it
-- is looked up per store first, on its own, for the same reason as the rows.
CREATE OR REPLACE FUNCTION audit_redemption_reversal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    reversed jsonb;
    returns jsonb;
BEGIN
    SELECT jsonb_agg(to_jsonb(n)) INTO reversed
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.reversed_at IS NULL AND n.reversed_at IS NOT NULL;
    IF reversed IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT jsonb_object_agg(x.store_id::text, to_jsonb(x)) INTO returns
    FROM (
        SELECT DISTINCT ON (r.store_id) r.store_id, r.id, r.transaction_id, r.till_id,
               'till ' || s.code || coalesce(': ' || t.name, '') AS actor
        FROM checkout_postransaction r
        JOIN baskets_store s ON s.id = r.store_id
        LEFT JOIN checkout_tilltoken t ON t.id = r.till_id
        WHERE r.kind = 'return' AND r.original_id IS NULL
          AND r.store_id IN (
              SELECT p.store_id FROM checkout_postransaction p
              WHERE p.id IN (
                  SELECT (e ->> 'pos_transaction_id')::bigint
                  FROM jsonb_array_elements(reversed) e
              )
          )
        ORDER BY r.store_id, r.id DESC
    ) x;
    INSERT INTO audit_auditevent
        (at, kind, actor_id, actor_name, ip_address, path, query, object_type, object_id,
         row_count, detail)
    SELECT now(), 'reversal', NULL, coalesce(ret ->> 'actor', ''),
           NULL, '', '', 'redemption', n.id::text, NULL,
           jsonb_build_object(
               'transaction_id', p.transaction_id, 'store', s.code,
               'return_transaction_id', ret -> 'transaction_id', 'till', ret -> 'till_id',
               'campaign', n.campaign_id, 'offer', n.offer_id, 'member', n.member_id,
               'discount', n.discount::text,
               'manufacturer_share', n.manufacturer_share::text,
               'reversed_at', n.reversed_at)
    FROM jsonb_populate_recordset(NULL::checkout_redemption, reversed) n
    JOIN checkout_postransaction p ON p.id = n.pos_transaction_id
    JOIN baskets_store s ON s.id = p.store_id
    LEFT JOIN LATERAL (SELECT returns -> p.store_id::text AS ret) r ON true;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION audit_campaign_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rows jsonb;
BEGIN
    SELECT jsonb_agg(to_jsonb(n)) INTO rows FROM new_rows n;
    IF rows IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_auditevent
        (at, kind, actor_id, actor_name, ip_address, path, query, object_type, object_id,
         row_count, detail)
    SELECT h.history_date, 'campaign_change', h.history_user_id, coalesce(u.username, ''),
           NULL, '', '', 'campaign', h.id::text, NULL,
           jsonb_build_object(
               'history_id', h.history_id,
               'change', CASE h.history_type WHEN '+' THEN 'created' WHEN '~' THEN 'changed'
                                             ELSE 'deleted' END,
               'name', h.name, 'status', h.status, 'reason', h.history_change_reason)
    FROM jsonb_populate_recordset(NULL::campaigns_historicalcampaign, rows) h
    LEFT JOIN accounts_user u ON u.id = h.history_user_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION audit_offer_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rows jsonb;
BEGIN
    SELECT jsonb_agg(to_jsonb(n)) INTO rows FROM new_rows n;
    IF rows IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_auditevent
        (at, kind, actor_id, actor_name, ip_address, path, query, object_type, object_id,
         row_count, detail)
    SELECT h.history_date, 'campaign_change', h.history_user_id, coalesce(u.username, ''),
           NULL, '', '', 'campaign', h.campaign_id::text, NULL,
           jsonb_build_object(
               'offer', h.id, 'history_id', h.history_id, 'usage_tier', h.usage_tier,
               'change', CASE h.history_type WHEN '+' THEN 'offer created'
                                             WHEN '~' THEN 'offer changed'
                                             ELSE 'offer deleted' END,
               'reason', h.history_change_reason)
    FROM jsonb_populate_recordset(NULL::campaigns_historicaloffer, rows) h
    LEFT JOIN accounts_user u ON u.id = h.history_user_id;
    RETURN NULL;
END $$;
"""


def _original_functions() -> list[str]:
    """0002's four functions, as CREATE OR REPLACE, to go back to."""
    from importlib import import_module

    script = import_module("apps.audit.migrations.0002_triggers").FORWARD
    wanted = (
        "audit_redemption_insert",
        "audit_redemption_reversal",
        "audit_campaign_history",
        "audit_offer_history",
    )
    return [
        statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
        for statement in sql_statements(script)
        if any(f"CREATE FUNCTION {name}()" in statement for name in wanted)
    ]


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_erasure_redaction")]

    operations = [migrations.RunSQL(sql_statements(FORWARD), _original_functions())]
