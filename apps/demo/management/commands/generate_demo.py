"""`manage.py generate_demo`: synthetic households' till data, loaded like real POS files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.demo.generator import Params
from apps.demo.services import demo_generate
from crm_site.cli import iso_date


class Command(BaseCommand):
    help = (
        "Generate demo members, products and baskets (deterministic per seed), write them "
        "as POS CSV files and load them with the POS importer."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--members", type=int, default=3000)
        parser.add_argument("--weeks", type=int, default=52)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--end-date",
            type=iso_date,
            default=None,
            help="Last day of the window (default: the most recent Sunday before today).",
        )
        parser.add_argument(
            "--keep-files",
            metavar="DIR",
            default=None,
            help="Write the CSV files into DIR and keep them (default: a temp dir).",
        )
        parser.add_argument(
            "--volume",
            type=float,
            default=1.0,
            help="Scale lines per member (1.0 ≈ 100 lines per member-year).",
        )

    def handle(self, *args, **options) -> None:
        if options["members"] < 1 or options["weeks"] < 1:
            raise CommandError("--members and --weeks must be at least 1.")
        if options["volume"] <= 0:
            raise CommandError("--volume must be positive.")
        keep = options["keep_files"]
        result = demo_generate(
            members=options["members"],
            weeks=options["weeks"],
            seed=options["seed"],
            end_date=options["end_date"],
            directory=Path(keep) if keep else None,
            progress=options["verbosity"] >= 1 and self.stderr.isatty(),
            params=Params(volume=options["volume"]),
        )
        s = result.summary
        self.stdout.write(
            f"Demo {s.start_date}..{s.end_date}: {s.members:,} members, "
            f"{s.anonymous_shoppers:,} anonymous shoppers, {s.products:,} products in "
            f"{s.categories} categories, {s.stores} stores"
        )
        self.stdout.write(
            f"{s.baskets:,} baskets ({s.anonymous_baskets:,} anonymous), {s.lines:,} lines; "
            f"files {result.generate_seconds:.1f} s, import {result.import_seconds:.1f} s"
        )
        rejected = 0
        for f in result.imported.files:
            rejected += f.rejected
            line = f"  {f.file_name}: {f.loaded:,} loaded, {f.rejected:,} rejected"
            if f.error:
                line += f" — {f.error}"
            self.stdout.write(line)
        if keep:
            self.stdout.write(f"Files kept in {keep}")
        if rejected or any(f.error for f in result.imported.files):
            raise CommandError("The importer rejected demo rows; see above.")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
