"""Sections of the member page that segments owns, so members never imports segments."""

from __future__ import annotations

from django import template

from apps.segments import selectors

register = template.Library()


@register.inclusion_tag("segments/sections/member_value.html")
def member_value_section(member):
    return {"score": selectors.member_score(member=member)}


@register.inclusion_tag("segments/sections/member_cells.html")
def member_cells_section(member):
    return {"rows": selectors.member_segments(member=member), "tiers": selectors.USAGE_TIER_NAMES}
