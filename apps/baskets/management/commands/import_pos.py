"""python manage.py import_pos DIR: load products, members and baskets CSV files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.baskets.importing import pos_import_dir, summary_line
from apps.baskets.importing.runner import nothing_read_message
from apps.core.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = _(
        "Import DIR/products.csv, DIR/members.csv and DIR/baskets.csv (or .csv.gz), "
        "whichever exist, in that order. Re-importing the same files changes nothing. "
        "Rejected rows and rows loaded with a warning are printed with file and line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--show-rejects",
            type=int,
            default=50,
            help=gettext("print at most this many rejected rows per file (default 50)"),
        )
        parser.add_argument(
            "--show-warnings",
            type=int,
            default=50,
            help=gettext(
                "print at most this many rows loaded with a warning per file (default 50)"
            ),
        )
        parser.add_argument("--no-progress", action="store_true", help=gettext("no progress bar"))

    def handle(
        self,
        *args,
        directory: Path,
        show_rejects: int,
        show_warnings: int,
        no_progress: bool,
        **options,
    ):
        result = pos_import_dir(directory=directory, progress=not no_progress)
        for file in result.files:
            style = self.style.ERROR if file.error else self.style.SUCCESS
            seconds = gettext("%(n)s s") % {"n": f"{file.seconds:.1f}"}
            self.stdout.write(style(f"{summary_line(file)} ({seconds})"))
            shown = file.first_rejects[:show_rejects]
            for reject in shown:
                self.stdout.write(f"{file.file_name}:{reject.line}: {reject.reason}")
            if file.rejected > len(shown):
                self.stdout.write(_more(file.rejected - len(shown), file.reject_file))
            elif file.reject_file:
                self.stdout.write(
                    gettext("rejects written to %(file)s") % {"file": file.reject_file}
                )
            # A warned row loaded; the warning says what the importer filled in.
            shown_warnings = file.first_warnings[:show_warnings]
            for warning in shown_warnings:
                self.stdout.write(
                    gettext("%(file)s:%(line)s: warning: %(message)s")
                    % {"file": file.file_name, "line": warning.line, "message": warning.message}
                )
            if file.warned > len(shown_warnings):
                more = file.warned - len(shown_warnings)
                self.stdout.write(_more(more, file.warning_file, warnings=True))
            elif file.warning_file:
                self.stdout.write(
                    gettext("warnings written to %(file)s") % {"file": file.warning_file}
                )
        if result.nothing_read:
            raise CommandError(nothing_read_message(directory=directory, result=result))


def _more(n: int, file, *, warnings: bool = False) -> str:
    """ "… and 12 more", with the file that holds them all when there is one."""
    values = {"n": f"{n:,}", "file": file}
    if warnings:
        if file:
            return gettext("… and %(n)s more warnings, see %(file)s") % values
        return gettext("… and %(n)s more warnings") % values
    if file:
        return gettext("… and %(n)s more, see %(file)s") % values
    return gettext("… and %(n)s more") % values
