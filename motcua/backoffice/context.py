"""Template context shared by every page: the site name and, for officers, their workplace (lazily)."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .roles import workplace


def site(request) -> dict:
    context: dict = {
        "system_name": settings.MOTCUA_SITE_NAME,
        # The site base (motcua/templates/base.html) lives outside any app's message catalogue.
        "skip_link_label": _("Bỏ qua, đến nội dung chính"),
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Lazy: the admin and the public pages never pay for the role lookup.
        context["workplace"] = SimpleLazyObject(lambda: workplace(request))
    return context
