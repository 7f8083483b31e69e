"""Filters for the form templates (built-in and overrides: {% load documents %})."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def breakable(value: str) -> str:
    """Allow a line break after each '-' of a dossier code in a narrow column.

    Unicode line breaking forbids a break between a hyphen and a digit ("H99-260302-0001"), which would
    otherwise split the code in the middle of its date.
    """
    return mark_safe(conditional_escape(value).replace("-", "-<wbr>"))  # escaped just above
