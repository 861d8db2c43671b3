"""No app reaches downstream: each imports only the rooms below it (docs/architecture.md).

The rooms are ordered from the ground up. An app may use its own modules and those of any app
below it in ROOMS, never one above: data flows one way, and a page that shows many apps'
parts lives in `desk`, at the top, not in one of them through a template tag.

Four kinds of use are read, each with the file and line that makes it:
- Python imports (`import apps.x`, `from apps.x… import`, `from apps import x`, relative
  imports), anywhere in a module, also inside functions;
- model references by name (`ForeignKey("lists.ListItem")`);
- tables named in SQL strings (`FROM checkout_redemption`), by the tables of the models;
- templates: `{% load %}` of an app's template tags, `{% include %}` and `{% extends %}` of an
  app's templates, and a template named in Python code (`render(request, "desk/…")`).

Links (`{% url %}`, `reverse()`) are not uses: a page may link to any page. The settings'
AUTH_USER_MODEL is Django's swappable user, not a reference by name.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS_DIR = ROOT / "apps"

# From the ground up. Everything records audit events and jobs, so audit and jobs stay low;
# accounts stands on catalog (a manufacturer's user belongs to a manufacturer) and jobs on
# accounts (the job pages check roles). rights reads (access) and anonymises (erasure)
# every member's rows wherever they are, so it stands above them all. desk composes every
# app's sections; demo drives the whole product and ops launches it. cluster lays every
# app's tables out on Citus, in migrations that run after all the others.
ROOMS = [
    "core",
    "audit",
    "catalog",
    "accounts",
    "jobs",
    "members",
    "baskets",
    "agreements",
    "segments",
    "campaigns",
    "rewards",
    "lists",
    "checkout",
    "reports",
    "portal",
    "rights",
    "desk",
    "demo",
    "ops",
    "cluster",
]
FLOOR = {room: floor for floor, room in enumerate(ROOMS)}

# Reaches not mended yet, by app, app and kind ("model": a relation named by string, "table":
# SQL), each with why and what would mend it. Imports and templates have none. The test also
# fails when one is gone, so that the list only shrinks.
KNOWN = {
    ("agreements", "checkout", "model"): (
        "A settlement line points at the redemption it claims: settlement (statements of what "
        "the tills redeemed) lives in agreements, below checkout. A settlement room above "
        "checkout mends it."
    ),
    ("agreements", "checkout", "table"): (
        "Settlement and an agreement's budget used read checkout_redemption (as above)."
    ),
    ("agreements", "campaigns", "table"): (
        "An agreement's budget committed sums its campaigns' budgets; the budget ledger would "
        "move with settlement."
    ),
}

# Template folders that are not named after their app.
TEMPLATE_FOLDERS = {"registration": "accounts"}

TEMPLATE_TAG = re.compile(r"\{%-?\s*(load|include|extends)\s+(.*?)\s*-?%\}", re.S)
TEMPLATE_NAME = re.compile(r"""^["']([a-z_]+)/[^"']+\.(?:html|txt|xml)["']""")
PY_TEMPLATE_NAME = re.compile(r"^([a-z_]+)/[\w./-]+\.(?:html|txt|xml)$")
REFERENCE_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


@dataclass(frozen=True)
class Use:
    """One use of another app: where it is, what it says, and which app it names."""

    path: str  # from the repository's root
    line: int
    text: str
    app: str
    kind: str = "import"  # import, model, table, template

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}  ({self.app})"


def owner_of(path: Path) -> str | None:
    """Return the app a file belongs to: apps/<app>/… or templates/<app>/…, else None."""
    parts = path.relative_to(ROOT).parts
    if parts[0] == "apps" and len(parts) > 2:
        return parts[1]
    if parts[0] == "templates" and len(parts) > 2:
        return TEMPLATE_FOLDERS.get(parts[1], parts[1] if parts[1] in FLOOR else None)
    return None


def downstream(user: str, used: str) -> bool:
    """Return whether `user` reaches up to `used` (an app above it; unknown apps never are)."""
    return used != user and used in FLOOR and FLOOR[used] > FLOOR[user]


# --- Python -----------------------------------------------------------------------------------


def _module_of(path: str) -> list[str]:
    parts = list(Path(path).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_apps(path: str, source: str) -> list[Use]:
    """Return every import of an app in a module's source: `apps.<app>…` and relative ones."""
    tree = ast.parse(source, filename=path)
    uses = []
    is_package = Path(path).name == "__init__.py"
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _module_of(path) if is_package else _module_of(path)[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            modules = [f"{base}.{a.name}" for a in node.names] if base == "apps" else [base]
        for module in modules:
            parts = module.split(".")
            if len(parts) > 1 and parts[0] == "apps":
                text = ast.get_source_segment(source, node) or module
                uses.append(Use(path, node.lineno, " ".join(text.split()), parts[1]))
    return sorted(uses, key=lambda u: u.line)


def referenced_models(path: str, source: str) -> list[Use]:
    """Return the models a module names as "<app>.<Model>" in a relation field."""
    uses = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        if name not in REFERENCE_FIELDS:
            continue
        targets = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "to")]
        for target in targets:
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                label, dot, _ = target.value.partition(".")
                if dot:
                    uses.append(
                        Use(path, target.lineno, f'{name}("{target.value}")', label, "model")
                    )
    return uses


def _tables() -> tuple[re.Pattern, dict[str, str]]:
    """Return a pattern matching every table of this product's models, and each one's app."""
    table_app = {}
    for config in django_apps.get_app_configs():
        if Path(config.path).parent != APPS_DIR:
            continue
        for model in config.get_models(include_auto_created=True):
            table_app[model._meta.db_table] = Path(config.path).name
    names = sorted(table_app, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b"), table_app


def sql_tables(path: str, source: str, pattern: re.Pattern, table_app: dict) -> list[Use]:
    """Return the tables a module names in its strings (docstrings aside)."""
    tree = ast.parse(source, filename=path)
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    uses = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) in docstrings:
            continue
        for match in pattern.finditer(node.value):
            line = node.lineno + node.value.count("\n", 0, match.start())
            table = match.group(1)
            uses.append(Use(path, line, f"table {table}", table_app[table], "table"))
    return uses


def named_templates(path: str, source: str) -> list[Use]:
    """Return the templates a module names ("lists/sections/current_list.html")."""
    uses = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = PY_TEMPLATE_NAME.match(node.value)
            if match:
                folder = match.group(1)
                app = TEMPLATE_FOLDERS.get(folder, folder)
                uses.append(Use(path, node.lineno, f'template "{node.value}"', app, "template"))
    return uses


# --- Templates ------------------------------------------------------------------------------


def _tag_libraries() -> dict[str, str]:
    """Return each of this product's template tag libraries and the app that defines it."""
    return {
        path.stem: path.parent.parent.name
        for path in APPS_DIR.glob("*/templatetags/*.py")
        if path.stem != "__init__"
    }


def template_uses(path: str, text: str, libraries: dict[str, str]) -> list[Use]:
    """Return the apps a template uses: tag libraries it loads, templates it includes."""
    uses = []
    for match in TEMPLATE_TAG.finditer(text):
        tag, argument = match.group(1), match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        found = " ".join(match.group(0).split())
        if tag == "load":
            words = argument.split()
            names = words[words.index("from") + 1 :] if "from" in words else words
            uses += [
                Use(path, line, found, libraries[n], "template") for n in names if n in libraries
            ]
        else:
            named = TEMPLATE_NAME.match(argument)
            if named:
                folder = named.group(1)
                app = TEMPLATE_FOLDERS.get(folder, folder)
                uses.append(Use(path, line, found, app, "template"))
    return uses


# --- The house --------------------------------------------------------------------------------


def _python_files() -> list[Path]:
    return sorted(p for p in APPS_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def _template_files() -> list[Path]:
    return sorted([*(ROOT / "templates").rglob("*.html"), *APPS_DIR.glob("*/templates/**/*.html")])


def every_use() -> list[Use]:
    """Return every use of an app by another app's file, in the whole product."""
    pattern, table_app = _tables()
    libraries = _tag_libraries()
    uses = []
    for path in _python_files():
        rel = str(path.relative_to(ROOT))
        source = path.read_text(encoding="utf-8")
        uses += imported_apps(rel, source)
        if "migrations" not in path.parts:  # migrations repeat what the models say
            uses += referenced_models(rel, source)
            uses += sql_tables(rel, source, pattern, table_app)
            uses += named_templates(rel, source)
    for path in _template_files():
        rel = str(path.relative_to(ROOT))
        uses += template_uses(rel, path.read_text(encoding="utf-8"), libraries)
    return uses


def reaches(uses: list[Use]) -> list[Use]:
    """Return the uses that reach an app downstream of the file's own."""
    return [u for u in uses if (o := owner_of(ROOT / u.path)) and downstream(o, u.app)]


def _known_key(use: Use) -> tuple[str, str, str]:
    return (owner_of(ROOT / use.path) or "", use.app, use.kind)


def _explain(found: list[Use]) -> str:
    lines = [str(u) for u in found]
    return (
        "These reach downstream (an app may use only the apps below it: "
        + " → ".join(ROOMS)
        + "; see docs/architecture.md for where the code belongs instead):\n  "
        + "\n  ".join(lines)
    )


@pytest.fixture(scope="module")
def uses() -> list[Use]:
    return every_use()


def test_every_app_has_its_place_in_the_order():
    on_disk = {p.parent.name for p in APPS_DIR.glob("*/__init__.py")}
    installed = {a.split(".")[1] for a in settings.INSTALLED_APPS if a.startswith("apps.")}
    assert sorted(on_disk) == sorted(ROOMS)
    assert installed <= set(ROOMS)
    assert len(ROOMS) == len(set(ROOMS))


def test_no_app_reaches_downstream(uses):
    found = [u for u in reaches(uses) if _known_key(u) not in KNOWN]
    assert found == [], _explain(found)


def test_the_known_reaches_are_still_there(uses):
    """A known reach that is mended leaves the list, so the list can only shrink."""
    still = {_known_key(u) for u in reaches(uses)}
    assert sorted(set(KNOWN) - still) == []


def test_the_reading_sees_something_of_every_kind(uses):
    """Guard the checker itself: each kind of use is found somewhere in today's product."""
    texts = [u.text for u in uses]
    assert any(t.startswith("from apps.") for t in texts)
    assert any(t.startswith('ForeignKey("members.Member")') for t in texts)
    assert any(t == "table baskets_basketline" for t in texts)
    assert any(t.startswith('template "') for t in texts)
    assert any(t.startswith("{% load money") for t in texts)
    assert any(t.startswith('{% include "jobs/includes/progress.html"') for t in texts)


# --- The checker on small examples, written out by hand -------------------------------------


def test_imports_are_read_wherever_they_are():
    source = (
        "import apps.members.models\n"
        "from apps.checkout.selectors import live_redemptions_by_item\n"
        "from apps import segments\n"
        "def f():\n"
        "    from apps.reports import services\n"
        "from . import views\n"
        "from ...lists.models import ShoppingList\n"
        "import json\n"
    )
    found = [(u.line, u.app) for u in imported_apps("apps/baskets/sub/x.py", source)]
    assert found == [
        (1, "members"), (2, "checkout"), (3, "segments"), (5, "reports"), (6, "baskets"),
        (7, "lists"),
    ]  # fmt: skip


def test_a_downstream_import_is_named_with_its_file_line_and_text():
    source = "from __future__ import annotations\n\nfrom apps.checkout.selectors import x\n"
    found = reaches(imported_apps("apps/lists/templatetags/list_sections.py", source))
    assert [str(u) for u in found] == [
        "apps/lists/templatetags/list_sections.py:3: "
        "from apps.checkout.selectors import x  (checkout)"
    ]
    assert reaches(imported_apps("apps/checkout/services.py", source)) == []  # its own


def test_model_names_tables_and_templates_are_read():
    source = (
        'member = models.ForeignKey("members.Member", on_delete=models.CASCADE)\n'
        'line = models.ForeignKey(to="checkout.Redemption", on_delete=models.PROTECT)\n'
        "store = models.ForeignKey(Store, on_delete=models.PROTECT)\n"
        'SQL = """\nSELECT 1\nFROM checkout_redemption r\n"""\n'
        'page = render(request, "desk/member_lookup.html", {})\n'
    )
    pattern = re.compile(r"\b(checkout_redemption)\b")
    models = [(u.line, u.app) for u in referenced_models("apps/x/models.py", source)]
    tables = sql_tables("apps/x/a.py", source, pattern, {"checkout_redemption": "checkout"})
    templates = [(u.line, u.app) for u in named_templates("apps/x/views.py", source)]
    assert models == [(1, "members"), (2, "checkout")]
    assert [(u.line, u.text) for u in tables] == [(6, "table checkout_redemption")]
    assert templates == [(8, "desk")]


def test_template_loads_and_includes_are_read():
    text = (
        '{% extends "base.html" %}\n{% load static money %}\n'
        "{% load render_table from django_tables2 %}\n"
        '{% include "lists/sections/current_list.html" with section=s only %}\n'
        "{% load list_sections %}\n"
    )
    libraries = {"money": "core", "list_sections": "lists"}
    found = [(u.line, u.app) for u in template_uses("templates/x.html", text, libraries)]
    assert found == [(2, "core"), (4, "lists"), (5, "lists")]
    members = template_uses("templates/members/includes/member_summary.html", text, libraries)
    assert [(u.line, u.app) for u in reaches(members)] == [(4, "lists"), (5, "lists")]
