"""The member's current shopping list, as a section of the member page and cashier screen.

Lists own this template tag so that the members app never imports lists (data flows one way).
"""

from __future__ import annotations

from django import template

from apps.lists import selectors

register = template.Library()


@register.inclusion_tag("lists/sections/current_list.html", takes_context=True)
def current_list_section(context, member):
    shopping_list = selectors.member_current_list(member=member)
    items = []
    if shopping_list is not None:
        items = list(
            shopping_list.items.select_related("product", "campaign").order_by("kind", "id")
        )
    user = context["request"].user
    return {
        "shopping_list": shopping_list,
        "items": [item for item in items if item.kind != "content"],
        "can_open": user.has_role("marketing"),
    }
