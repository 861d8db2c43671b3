"""Attacks a manufacturer could run with the portal and its CSV, through the real release path.

Each attack tries to recover the size of small groups (1–9 members) of the seeded population
(tests/portal/population.py) and must fail: its recovered figures wrong by at least one
member on average, and exact at most a third of the time. Each also runs against the exact
figures (what the portal published before releases) to show the attack itself works.

The population and the attacker are seeded; OpenDP's noise is not (it draws from the
operating system's randomness, on purpose: a seedable sampler is a predictable one), so the
bounds below hold with a wide margin rather than for one fixed draw: with noise of scale 10
members an exact guess of a 1–9 figure has a chance of about 5 %.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.portal import figures, privacy
from apps.portal.export import report_lines, write_csv
from apps.portal.models import PrivacyBudget, Release
from apps.portal.periods import Period
from apps.portal.report import Report
from tests.portal import population

MONEY, SHARE = "($)", "share"
NOT_MEMBERS = {"Redemptions", "Units"}  # billing counts, exact by design (the invoice)
GUESS = 5  # what an attacker says of a figure it cannot work out: the middle of 1–9


@pytest.fixture(autouse=True)
def weakest_threshold(settings):
    """The lowest threshold the portal accepts: what protects is the noise, not the threshold
    (with no noise, these attacks succeed: see the controls and docs/portal.md)."""
    settings.REPORT_MIN_MEMBERS = 5


@pytest.fixture
def people(manufacturer_a, manufacturer_b):
    return population.build(manufacturer_a, manufacturer_b)


# Reading an export ----------------------------------------------------------------------------


def tables_of(text: str) -> dict[str, dict[str, dict[str, str]]]:
    """Return title → row label → column label → cell, from an export's text."""
    rows = list(csv.reader(io.StringIO(text)))
    tables, current, header = {}, None, None
    for row in rows[3:]:
        if not row:
            current = None
        elif current is None:
            current, header = tables.setdefault(row[0], {}), None
        elif header is None:
            header = row
        else:
            current[row[0]] = dict(zip(header[1:], row[1:], strict=True))
    return tables


def number(cell: str | None) -> float | None:
    """A published number; None when withheld. An empty cell is a structural zero."""
    if cell is None or cell.startswith("withheld"):
        return None
    return float(cell) if cell else 0.0


def targets(truth: dict) -> list[tuple[str, str, str, int]]:
    """Every member count of 1–9 in the exact tables: (table, row, column, members)."""
    found = []
    for title, table in truth.items():
        for label, row in table.items():
            if label.startswith("Withheld"):
                continue
            for column, cell in row.items():
                if MONEY in column or SHARE in column.lower() or column in NOT_MEMBERS:
                    continue
                if cell and 1 <= float(cell) <= 9:
                    found.append((title, label, column, int(float(cell))))
    return found


def equations(tables: dict) -> list[tuple[list, tuple]]:
    """Every line of the tables that adds up: (the entries, their total), as cell addresses."""
    found = []
    for title, table in tables.items():
        labels = [lab for lab in table if not lab.startswith("Withheld")]
        if labels and "All" in table[labels[0]]:  # a cross-table
            columns = [c for c in table[labels[0]] if c != "All"]
            body = [lab for lab in labels if lab != "All"]
            for lab in labels:
                found.append(([(title, lab, c) for c in columns], (title, lab, "All")))
            for c in [*columns, "All"]:
                found.append(([(title, lab, c) for lab in body], (title, "All", c)))
            if "Withheld cells together" in table:
                hidden = [(title, lab, c) for lab in body for c in columns
                          if (table[lab][c] or "").startswith("withheld")]  # fmt: skip
                found.append((hidden, (title, "Withheld cells together", "All")))
        for lab in labels:
            if "Buyers in either month" in table[lab]:
                parts = ("New buyers", "Retained buyers", "Lost buyers")
                found.append(([(title, lab, c) for c in parts],
                              (title, lab, "Buyers in either month")))  # fmt: skip
        if "Withheld figures together" in table:
            body = labels[:-1]  # the rows, then the total row
            for c in table["Withheld figures together"]:
                hidden = [(title, lab, c) for lab in body
                          if (table[lab].get(c) or "").startswith("withheld")]  # fmt: skip
                found.append((hidden, (title, "Withheld figures together", c)))
    return found


def solve(tables: dict) -> dict[tuple, float]:
    """Return every figure the tables give away: published ones, and those a chain of
    subtractions pins down (a line whose entries and total are known but one)."""
    known = {(t, lab, c): number(cell) for t, table in tables.items()
             for lab, row in table.items() for c, cell in row.items()}  # fmt: skip
    known = {k: v for k, v in known.items() if v is not None}
    lines = equations(tables)
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            unknown = [p for p in parts if p not in known]
            if total in known and len(unknown) == 1:
                known[unknown[0]] = known[total] - sum(known[p] for p in parts if p in known)
                changed = True
            elif total not in known and not unknown and parts:
                known[total] = sum(known[p] for p in parts)
                changed = True
    return known


def estimates(tables: dict, title: str, label: str, column: str) -> list[float]:
    """What the tables say of one figure, directly or through the lines that add up."""
    value = solve_cached(tables).get((title, label, column))
    return [] if value is None else [value]


_solved: dict[int, dict] = {}


def solve_cached(tables: dict) -> dict:
    if id(tables) not in _solved:
        _solved[id(tables)] = solve(tables)
    return _solved[id(tables)]


def attack(target_list, estimate_sets) -> tuple[float, float]:
    """Return the recovered figures' mean error (members) and share of exact recoveries."""
    errors = []
    for (_, _, _, truth), found in zip(target_list, estimate_sets, strict=True):
        recovered = round(statistics.mean(found)) if found else GUESS
        errors.append(abs(recovered - truth))
    return statistics.mean(errors), sum(e == 0 for e in errors) / len(errors)


def export_of(report: Report) -> str:
    out = io.StringIO()
    write_csv(out, report_lines(report, report.all_sections()))
    return out.getvalue()


def exact_tables(people, period: Period, *, threshold: int | None = None) -> dict:
    """The tables as the exact figures would lay them out (no noise), unsaved.

    With `threshold`, figures on fewer members are withheld, as the portal did before
    releases (small-cell suppression alone)."""
    plan = figures.agreement_plan(
        agreement=people["agreement"], categories=people["categories"],
        period=period, cap=privacy.privacy_settings().money_cap, max_categories=6,
    )  # fmt: skip
    withheld = sorted(k for k, v in plan.counts.items() if threshold and v < threshold)
    withheld += sorted(k for k, b in plan.basis.items() if b in set(withheld))
    release = Release(
        agreement=people["agreement"], period_start=period.start, period_end=period.end,
        epsilon=0, released_at=timezone.now(),
        params={"threshold": threshold or 1, "money_cap": "50", "count_interval": 0,
                "money_interval_cents": 0},
        content={"categories": [list(c) for c in plan.categories],
                 "weeks": [w.isoformat() for w in plan.weeks], "notes": plan.notes,
                 "exact": plan.exact, "counts": plan.counts, "money": plan.money,
                 "withheld": withheld},
    )  # fmt: skip
    return tables_of(export_of(Report(release)))


def release(client, people, month: str):
    url = reverse("portal:agreement_release", args=[people["agreement"].pk])
    return client.post(url, {"month": month}, follow=True)


def export(client, people, query: dict):
    return client.get(reverse("portal:agreement_export", args=[people["agreement"].pk]), query)


def assert_defeated(mean_error: float, exact: float, n: int, *, least: int = 15) -> None:
    print(f"recovered {n} small groups: off by {mean_error:.2f} members, {exact:.0%} exact")
    assert n >= least, f"only {n} small groups: the test population is too small"
    assert mean_error >= 1, f"recovered figures off by {mean_error:.2f} members on average"
    assert exact <= 1 / 3, f"{exact:.0%} of small groups recovered exactly"


# The attacks ----------------------------------------------------------------------------------


def test_differencing_twenty_consecutive_end_dates(client, people, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    release(client, people, "2026-03")
    month = export(client, people, {"month": "2026-03"}).content.decode()
    days = list(range(10, 30))
    sales = "Category sales to club members by brand type"

    def buyers(text: str) -> float | None:
        return number(tables_of(text)[sales]["Ketchup"]["Buyers of your brands"])

    answers, refused = {}, 0
    for day in [days[0] - 1, *days]:
        response = export(client, people, {"start": "2026-03-01", "end": f"2026-03-{day:02d}"})
        refused += response.status_code == 400
        # A refused range leaves the attacker with the month the portal does release.
        answers[day] = buyers(response.content.decode() if response.status_code == 200
                              else month)  # fmt: skip
    assert refused == 21
    target_list = [("", "", "", people["cohorts"][d]) for d in days]
    found = [[(answers[d] or 0) - (answers[d - 1] or 0)] for d in days]
    assert_defeated(*attack(target_list, found), len(target_list))

    # Against free date ranges of exact figures, the same subtraction is right every time.
    exact = {
        day: buyers(export_of_exact(people, Period(dt.date(2026, 3, 1), dt.date(2026, 3, day))))
        for day in [9, *days]
    }
    assert attack(target_list, [[exact[d] - exact[d - 1]] for d in days]) == (0, 1.0)


def export_of_exact(people, period: Period) -> str:
    tables = exact_tables(people, period)
    # Re-serialise the one table the differencing attack reads.
    out = io.StringIO()
    sales = "Category sales to club members by brand type"
    writer = csv.writer(out)
    writer.writerows([[], [], [], [sales], ["Category", *tables[sales]["Ketchup"]]])
    writer.writerow(["Ketchup", *tables[sales]["Ketchup"].values()])
    return out.getvalue()


def test_combining_every_table_of_an_export(client, people, manufacturer_a_user):
    march = Period.month(2026, 3)
    truth = exact_tables(people, march)
    target_list = targets(truth)
    # Small-cell suppression alone: published figures and equations give groups away.
    suppressed = exact_tables(people, march, threshold=5)
    mean_error, exact = attack(target_list, [estimates(suppressed, *t[:3]) for t in target_list])
    print(f"suppression alone: off by {mean_error:.2f}, {exact:.0%} exact of {len(target_list)}")
    assert exact > 1 / 3, "the control attack works on suppression alone"

    client.force_login(manufacturer_a_user)
    release(client, people, "2026-03")
    tables = tables_of(export(client, people, {"month": "2026-03"}).content.decode())
    found = [estimates(tables, *t[:3]) for t in target_list]
    assert_defeated(*attack(target_list, found), len(target_list))


def test_the_same_report_a_hundred_times(client, people, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    release(client, people, "2026-03")
    spent = list(PrivacyBudget.objects.order_by("pk").values_list("spent", flat=True))
    answers = [export(client, people, {"month": "2026-03"}).content for _ in range(100)]
    assert len(set(answers)) == 1  # the stored release, every time: nothing to average
    assert Release.objects.count() == 1
    assert list(PrivacyBudget.objects.order_by("pk").values_list("spent", flat=True)) == spent
    target_list = targets(exact_tables(people, Period.month(2026, 3)))
    per_answer = [tables_of(a.decode()) for a in answers]
    found = [[e for tables in per_answer for e in estimates(tables, *t[:3])]
             for t in target_list]  # fmt: skip
    assert_defeated(*attack(target_list, found), len(target_list))


def test_spending_the_whole_budget(client, people, manufacturer_a_user, settings):
    settings.PORTAL_DP_AGREEMENT_BUDGET = "23"  # three months at ε 7.4 each (3 categories)
    client.force_login(manufacturer_a_user)
    obtained, refusals = [], []
    for month in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05"):
        page = release(client, people, month).content.decode()
        if "privacy budget of this agreement is spent" in page:
            refusals.append(month)
        response = export(client, people, {"month": month})
        if response.status_code == 200:
            obtained.append((Period.parse(month), tables_of(response.content.decode())))
    assert refusals == ["2026-04", "2026-05"]
    assert [p.key for p, _ in obtained] == ["2026-01", "2026-02", "2026-03"]
    # The attacker pools every month's estimate of each small group (1–9 members each
    # month), as if the group stayed the same; its truth is then the groups' mean size.
    truths = [{t[:3]: t[3] for t in targets(exact_tables(people, period))}
              for period, _ in obtained]  # fmt: skip
    places = sorted(set(truths[0]).intersection(*truths[1:]))
    target_list = [(*p, round(statistics.mean(t[p] for t in truths))) for p in places]
    found = [[e for _, tables in obtained for e in estimates(tables, *p)] for p in places]
    assert_defeated(*attack(target_list, found), len(target_list))
