"""Lists read the list channel's consent: a withdrawal stops the next list and the export."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.management import call_command

from apps.members.consent import consent_set
from apps.members.models import ConsentSource
from tests.lists.conftest import PERIOD
from tests.lists.test_services import cards, generate

NEXT = PERIOD + dt.timedelta(days=14)
BEST = "100000000005"


def test_withdrawing_list_consent_means_no_next_list(chain):
    generate()
    assert BEST in cards()
    best = chain["members"]["best"]

    consent_set(best, "list", False, source=ConsentSource.STAFF)
    generate(period=NEXT)

    assert BEST not in cards(NEXT)
    assert "100000000001" in cards(NEXT)  # the others still get theirs
    assert BEST in cards()  # the list already made stays (the export leaves it out)


def test_giving_it_again_brings_the_list_back(chain):
    best = chain["members"]["best"]
    consent_set(best, "list", False, source=ConsentSource.STAFF)
    generate()
    assert BEST not in cards()

    consent_set(best, "list", True, source=ConsentSource.FORM)
    generate(period=NEXT)

    assert BEST in cards(NEXT)


def test_other_channels_do_not_make_a_list(chain):
    no_consent = chain["members"]["no_consent"]  # spent $200, no list consent
    consent_set(no_consent, "email", True, source=ConsentSource.FORM)
    consent_set(no_consent, "sms", True, source=ConsentSource.FORM)

    generate()

    assert no_consent.card_number not in cards()


def export(tmp_path, capsys) -> tuple[set[str], str]:
    path = tmp_path / "lists.csv"
    call_command("export_lists", "--period-start", PERIOD.isoformat(), "--output", str(path))
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    return {row["card_number"] for row in rows}, capsys.readouterr().err


def test_the_mail_house_export_leaves_out_a_member_who_withdrew_since(chain, tmp_path, capsys):
    generate()
    exported, said = export(tmp_path, capsys)
    assert exported == set(cards()) and said == ""

    consent_set(chain["members"]["best"], "list", False, source=ConsentSource.STAFF)
    exported, said = export(tmp_path, capsys)

    assert exported == set(cards()) - {BEST}
    assert "1 list left out: the member withdrew consent to lists" in said
