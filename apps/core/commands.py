"""A management command whose help is a translation (docs/i18n.md); model fits' tables.

argparse reads its texts as strings (it runs regular expressions over them), so a command's
`help`, a lazy translation made at import, becomes a string when the parser is built, in
the language then active. Arguments' help texts are translated with `gettext` in
`add_arguments`, which runs at that moment too.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext


class TranslatedCommand(BaseCommand):
    """Django's BaseCommand with a translated (lazy) `help`."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)


def decile_line(row: dict) -> str:
    """One row of a model's calibration table: a decile, its predicted and actual rates."""
    return gettext("decile %(decile)s: predicted %(predicted)s actual %(actual)s (n=%(n)s)") % {
        "decile": f"{row['decile']:>2}",
        "predicted": f"{row['predicted']:.3f}",
        "actual": f"{row['actual']:.3f}",
        "n": row["n"],
    }
