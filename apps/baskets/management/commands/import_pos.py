"""python manage.py import_pos DIR: load products, members and baskets CSV files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.baskets.importing import pos_import_dir, summary_line
from apps.baskets.importing.runner import nothing_read_message


class Command(BaseCommand):
    help = (
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
            help="print at most this many rejected rows per file (default 50)",
        )
        parser.add_argument(
            "--show-warnings",
            type=int,
            default=50,
            help="print at most this many rows loaded with a warning per file (default 50)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

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
            self.stdout.write(style(f"{summary_line(file)} ({file.seconds:.1f} s)"))
            shown = file.first_rejects[:show_rejects]
            for reject in shown:
                self.stdout.write(f"{file.file_name}:{reject.line}: {reject.reason}")
            if file.rejected > len(shown):
                where = f", see {file.reject_file}" if file.reject_file else ""
                self.stdout.write(f"… and {file.rejected - len(shown):,} more{where}")
            elif file.reject_file:
                self.stdout.write(f"rejects written to {file.reject_file}")
            # A warned row loaded; the warning says what the importer filled in.
            shown_warnings = file.first_warnings[:show_warnings]
            for warning in shown_warnings:
                self.stdout.write(f"{file.file_name}:{warning.line}: warning: {warning.message}")
            if file.warned > len(shown_warnings):
                where = f", see {file.warning_file}" if file.warning_file else ""
                self.stdout.write(
                    f"… and {file.warned - len(shown_warnings):,} more warnings{where}"
                )
            elif file.warning_file:
                self.stdout.write(f"warnings written to {file.warning_file}")
        if result.nothing_read:
            raise CommandError(nothing_read_message(directory=directory, result=result))
