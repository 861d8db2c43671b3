"""Database-side audit: triggers that record what set-based writes do.

Checkout writes redemptions with bulk_create and reverses them with bulk_update, which send
no Django signals, so the trail is written by PostgreSQL itself: statement-level triggers
with transition tables (one INSERT … SELECT per statement, not one per row). Campaign and
offer changes are mirrored from django-simple-history's tables, which carry the user.
"""

from django.db import migrations

from apps.core.sql_script import sql_statements

FORWARD = r"""
CREATE FUNCTION audit_redemption_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
    FROM new_rows r
    JOIN checkout_postransaction p ON p.id = r.pos_transaction_id
    JOIN baskets_store s ON s.id = p.store_id
    LEFT JOIN checkout_tilltoken t ON t.id = p.till_id;
    RETURN NULL;
END $$;

CREATE TRIGGER audit_redemption_insert AFTER INSERT ON checkout_redemption
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_redemption_insert();

-- A reversal is reversed_at going from empty to set. The return that caused it is the
-- store's return still being recorded (original_id is filled in last, in the same
-- transaction; other transactions' unfinished returns are invisible here).
CREATE FUNCTION audit_redemption_reversal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_auditevent
        (at, kind, actor_id, actor_name, ip_address, path, query, object_type, object_id,
         row_count, detail)
    SELECT now(), 'reversal', NULL,
           CASE WHEN ret.id IS NULL THEN ''
                ELSE 'till ' || s.code || coalesce(': ' || t.name, '') END,
           NULL, '', '', 'redemption', n.id::text, NULL,
           jsonb_build_object(
               'transaction_id', p.transaction_id, 'store', s.code,
               'return_transaction_id', ret.transaction_id, 'till', ret.till_id,
               'campaign', n.campaign_id, 'offer', n.offer_id, 'member', n.member_id,
               'discount', n.discount::text,
               'manufacturer_share', n.manufacturer_share::text,
               'reversed_at', n.reversed_at)
    FROM new_rows n
    JOIN old_rows o ON o.id = n.id
    JOIN checkout_postransaction p ON p.id = n.pos_transaction_id
    JOIN baskets_store s ON s.id = p.store_id
    LEFT JOIN LATERAL (
        SELECT x.id, x.transaction_id, x.till_id FROM checkout_postransaction x
        WHERE x.store_id = p.store_id AND x.kind = 'return' AND x.original_id IS NULL
        ORDER BY x.id DESC LIMIT 1
    ) ret ON true
    LEFT JOIN checkout_tilltoken t ON t.id = ret.till_id
    WHERE o.reversed_at IS NULL AND n.reversed_at IS NOT NULL;
    RETURN NULL;
END $$;

CREATE TRIGGER audit_redemption_reversal AFTER UPDATE ON checkout_redemption
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_redemption_reversal();

CREATE FUNCTION audit_campaign_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
    FROM new_rows h
    LEFT JOIN accounts_user u ON u.id = h.history_user_id;
    RETURN NULL;
END $$;

CREATE TRIGGER audit_campaign_history AFTER INSERT ON campaigns_historicalcampaign
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_campaign_history();

CREATE FUNCTION audit_offer_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
    FROM new_rows h
    LEFT JOIN accounts_user u ON u.id = h.history_user_id;
    RETURN NULL;
END $$;

CREATE TRIGGER audit_offer_history AFTER INSERT ON campaigns_historicaloffer
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_offer_history();

-- Append-only: no DELETE, no UPDATE, except filling in an export's row count once.
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.kind = 'export' AND OLD.row_count IS NULL
       AND (to_jsonb(NEW) - 'row_count') = (to_jsonb(OLD) - 'row_count') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
DROP TRIGGER IF EXISTS audit_offer_history ON campaigns_historicaloffer;
DROP FUNCTION IF EXISTS audit_offer_history();
DROP TRIGGER IF EXISTS audit_campaign_history ON campaigns_historicalcampaign;
DROP FUNCTION IF EXISTS audit_campaign_history();
DROP TRIGGER IF EXISTS audit_redemption_reversal ON checkout_redemption;
DROP FUNCTION IF EXISTS audit_redemption_reversal();
DROP TRIGGER IF EXISTS audit_redemption_insert ON checkout_redemption;
DROP FUNCTION IF EXISTS audit_redemption_insert();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("baskets", "0003_basket_leaner_indexes"),
        ("campaigns", "0001_initial"),
        ("checkout", "0002_return_kind"),
    ]

    operations = [migrations.RunSQL(sql_statements(FORWARD), sql_statements(BACKWARD))]
