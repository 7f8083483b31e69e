"""Helpers shared by the officer views."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from ..roles import workplace


def is_htmx(request: HttpRequest) -> bool:
    """A request made by htmx wants a fragment, not a whole page (boosted links want the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def officer_required(view):
    """Signed in and holding at least one valid staff role; anyone else gets a clear page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if workplace(request).active is None:
            return forbidden(
                request,
                _(
                    "Tài khoản của bạn chưa được phân công vai trò cán bộ nào đang có hiệu lực. "
                    "Vui lòng liên hệ quản trị hệ thống."
                ),
            )
        return view(request, *args, **kwargs)

    return wrapper


def forbidden(request: HttpRequest, message: str, status: int = 403):
    return render(request, "backoffice/error.html", {"message": message}, status=status)
