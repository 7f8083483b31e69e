"""Template tags shared by every page."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def deployment_badge() -> str:
    """A visible "not production" badge, so nobody mistakes the demo for the live system (or vice versa)."""
    if settings.DEPLOYMENT == "production":
        return ""
    return format_html(
        '<span class="motcua-badge" title="{}">{}</span>',
        _("Dữ liệu trên hệ thống này không phải dữ liệu thật."),
        _("Môi trường thử nghiệm"),
    )
