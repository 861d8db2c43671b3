"""`manage.py generate_demo`: synthetic households' till data, loaded like real POS files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.commands import TranslatedCommand
from apps.demo.generator import Params
from apps.demo.services import demo_generate
from crm_site.cli import iso_date


class Command(TranslatedCommand):
    help = _(
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
            help=gettext("Last day of the window (default: the most recent Sunday before today)."),
        )
        parser.add_argument(
            "--keep-files",
            metavar="DIR",
            default=None,
            help=gettext("Write the CSV files into DIR and keep them (default: a temp dir)."),
        )
        parser.add_argument(
            "--volume",
            type=float,
            default=1.0,
            help=gettext("Scale lines per member (1.0 ≈ 100 lines per member-year)."),
        )

    def handle(self, *args, **options) -> None:
        if options["members"] < 1 or options["weeks"] < 1:
            raise CommandError(gettext("--members and --weeks must be at least 1."))
        if options["volume"] <= 0:
            raise CommandError(gettext("--volume must be positive."))
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
            gettext(
                "Demo %(start)s..%(end)s: %(members)s members, %(anonymous)s anonymous "
                "shoppers, %(products)s products in %(categories)s categories, "
                "%(stores)s stores"
            )
            % {
                "start": s.start_date,
                "end": s.end_date,
                "members": f"{s.members:,}",
                "anonymous": f"{s.anonymous_shoppers:,}",
                "products": f"{s.products:,}",
                "categories": s.categories,
                "stores": s.stores,
            }
        )
        self.stdout.write(
            gettext(
                "%(baskets)s baskets (%(anonymous)s anonymous), %(lines)s lines; "
                "files %(files)s s, import %(import)s s"
            )
            % {
                "baskets": f"{s.baskets:,}",
                "anonymous": f"{s.anonymous_baskets:,}",
                "lines": f"{s.lines:,}",
                "files": f"{result.generate_seconds:.1f}",
                "import": f"{result.import_seconds:.1f}",
            }
        )
        rejected = 0
        for f in result.imported.files:
            rejected += f.rejected
            line = "  " + gettext("%(file)s: %(loaded)s loaded, %(rejected)s rejected") % {
                "file": f.file_name,
                "loaded": f"{f.loaded:,}",
                "rejected": f"{f.rejected:,}",
            }
            if f.error:
                line += f" — {f.error}"
            self.stdout.write(line)
        if keep:
            self.stdout.write(gettext("Files kept in %(dir)s") % {"dir": keep})
        if rejected or any(f.error for f in result.imported.files):
            raise CommandError(gettext("The importer rejected demo rows; see above."))
        self.stdout.write(self.style.SUCCESS(gettext("Demo data loaded.")))
