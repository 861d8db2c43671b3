"""`{% javascript_catalog_url %}`: the scripts' message catalog for the page's language."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from apps.accounts.jscatalog import catalog_url

register = template.Library()


@register.simple_tag
def javascript_catalog_url() -> str:
    return catalog_url(get_language())
