"""Management commands in Chinese: their help (argparse needs strings, apps/core/commands.py)
and the summaries they print, when Chinese is the active language (LANGUAGE_CODE)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command, load_command_class
from django.utils import translation

from apps.core.commands import decile_line


def help_text(app: str, name: str) -> str:
    command = load_command_class(app, name)
    return " ".join(command.create_parser("manage.py", name).format_help().split())


def test_a_commands_help_is_in_the_active_language():
    with translation.override("zh-hans"):
        chinese = help_text("apps.baskets", "import_pos")
    assert "按顺序导入 DIR/products.csv" in chinese
    assert "每个文件最多打印这么多被拒绝的行（默认 50）" in chinese
    assert "Re-importing the same files changes nothing" not in chinese
    with translation.override("en"):
        english = help_text("apps.baskets", "import_pos")
    assert "Re-importing the same files changes nothing" in english
    assert "print at most this many rejected rows per file (default 50)" in english


@pytest.mark.django_db
def test_a_commands_summary_is_in_the_active_language():
    out = StringIO()
    with translation.override("zh-hans"):
        call_command("rewards_verify", stdout=out)
        call_command("backfill_points", stdout=out)
    printed = out.getvalue()
    assert "积分账本一致：每个余额都等于其记录之和。" in printed
    assert "没有会员：无需补写。" in printed
    assert "adds up" not in printed and "nothing to backfill" not in printed


def test_a_fits_calibration_table_reads_in_chinese():
    row = {"decile": 3, "predicted": 0.25, "actual": 0.2, "n": 40}
    with translation.override("zh-hans"):
        assert decile_line(row) == "十分位  3：预测 0.250，实际 0.200（n=40）"
    with translation.override("en"):
        assert decile_line(row) == "decile  3: predicted 0.250 actual 0.200 (n=40)"
