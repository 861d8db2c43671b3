"""Read the forms of a rendered page: method, action, fields with their types and initial values."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

SKIPPED_INPUTS = {"submit", "button", "reset", "image"}


@dataclass
class Field:
    name: str
    kind: str  # the input type, "select", "select-multiple" or "textarea"
    options: list[str] = field(default_factory=list)  # choices of a select, checkbox, radio
    initial: list[str] = field(default_factory=list)
    required: bool = False


@dataclass
class Form:
    method: str
    action: str  # the path the form is sent to
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def target(self) -> str | None:
        """The URL pattern name the form is sent to."""
        try:
            return resolve(self.action).view_name
        except Resolver404:
            return None

    def initial_data(self, *, pick_first_option: bool) -> dict[str, list[str]]:
        """What the browser sends untouched: a select without a selection, its first choice;
        with `pick_first_option`, a required select left empty gets its first non-empty one."""
        data = {}
        for f in self.fields.values():
            if f.kind == "file":
                continue
            values = list(f.initial)
            non_empty = [o for o in f.options if o]
            if f.kind == "select" and pick_first_option and f.required and values in ([], [""]):
                values = non_empty[:1] or values
            elif f.kind == "select" and not values and f.options:
                values = f.options[:1]
            if values or f.kind not in ("checkbox", "radio", "select-multiple"):
                data[f.name] = values or [""]
        return data


class _Parser(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.option: tuple[str | None, bool] | None = None
        self.option_text = ""
        self.textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_path).path or self.page_path
            self.form = Form(method=(a.get("method") or "get").lower(), action=action)
            self.forms.append(self.form)
        elif self.form is None or "name" not in a and tag != "option":
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in SKIPPED_INPUTS:
                return
            f = self._field(a["name"], kind, "required" in a)
            if kind in ("checkbox", "radio"):
                f.options.append(a.get("value", "on"))
                if "checked" in a:
                    f.initial.append(a.get("value", "on"))
            elif kind != "file":
                f.initial = [a.get("value") or ""]
        elif tag == "select":
            kind = "select-multiple" if "multiple" in a else "select"
            self.select = self._field(a["name"], kind, "required" in a)
        elif tag == "option" and self.select is not None:
            self.option = (a.get("value"), "selected" in a)
            self.option_text = ""
        elif tag == "textarea":
            self.textarea = self._field(a["name"], "textarea", "required" in a)
            self.textarea.initial = [""]

    def _field(self, name: str, kind: str, required: bool) -> Field:
        return self.form.fields.setdefault(name, Field(name=name, kind=kind, required=required))

    def handle_data(self, data):
        if self.option is not None:
            self.option_text += data
        if self.textarea is not None:
            self.textarea.initial[0] += data

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None and self.select is not None:
            value, selected = self.option
            value = self.option_text.strip() if value is None else value
            self.select.options.append(value)
            if selected:
                self.select.initial.append(value)
            self.option = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # The parser keeps the newline that HTML drops right after <textarea>.
            self.textarea.initial[0] = self.textarea.initial[0].removeprefix("\n")
            self.textarea = None
        elif tag == "form":
            self.form = None


def page_forms(html: str, page_path: str) -> list[Form]:
    """Return the forms of a page (an action-less form is sent to the page itself)."""
    parser = _Parser(page_path)
    parser.feed(html)
    return parser.forms
