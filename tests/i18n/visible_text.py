"""The words a person reads first on a page: navigation, headings, labels, buttons, table heads.

Issue 23 asks that a Chinese-speaking user finds no English left there. The parser is the
standard library's: it keeps a stack of open elements and collects text while any of them
is one of the places named below. Text a person types or reads as a code stays out: `<code>`,
`<kbd>`, `<input>` values, anything marked `translate="no"` (the HTML attribute for text
that is not to be translated), and anything marked in another language with `lang` (a
member's printed list is in the member's language, whoever reads the page).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose text is the page's frame rather than its data.
PLACES = frozenset(
    {"title", "nav", "h1", "h2", "h3", "h4", "h5", "h6", "th", "label", "button", "legend",
     "caption", "summary"}
)  # fmt: skip
PLACE_CLASSES = frozenset({"breadcrumb", "card-header", "nav-link", "btn", "badge", "form-text"})
SKIPPED = frozenset({"code", "kbd", "script", "style", "textarea", "select", "option"})
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip

WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
# File names, column names and date patterns a person types as they are: not words to translate.
LITERAL = re.compile(
    r"[\w.-]+\.(?:csv|gz|json|pdf|zip)\b|\b\w*_\w*\b|\bYYYY-MM-DD\b|\b[A-Z]{2,}-[\d-]+\b"
)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, is a place, is skipped)
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        place = tag in PLACES or bool(classes & PLACE_CLASSES)
        lang = (attributes.get("lang") or "").lower()
        skipped = (
            tag in SKIPPED
            or attributes.get("translate") == "no"
            or (bool(lang) and not lang.startswith("zh") and tag != "html")
        )
        self.stack.append((tag, place, skipped))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if not data.strip():
            return
        if any(skipped for _, _, skipped in self.stack):
            return
        if any(place for _, place, _ in self.stack):
            self.texts.append(data.strip())


def frame_texts(html: str) -> list[str]:
    """The texts of a page's navigation, headings, labels, buttons and table heads."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.texts


def english_words(html: str, allowed: frozenset[str]) -> list[str]:
    """Latin words in the page's frame that are not in `allowed` (data, names, acronyms)."""
    found = []
    for text in frame_texts(html):
        for word in WORD.findall(LITERAL.sub(" ", text)):
            if word not in allowed and word.lower() not in allowed:
                found.append(f"{word!r} in {text[:80]!r}")
    return list(dict.fromkeys(found))
