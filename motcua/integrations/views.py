"""/dong-bo/ — the operators' view of the sync with the national portal (read-only, staff and supervisors)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.org.scopes import roles_of

from .status import sync_status


def may_watch(user) -> bool:
    if user.is_staff or user.is_superuser:
        return True
    return any(a.role in ("supervisor", "admin") for a in roles_of(user))


@login_required
def sync_page(request: HttpRequest) -> HttpResponse:
    if not may_watch(request.user):
        raise PermissionDenied("Chỉ quản trị và giám sát được xem tình trạng đồng bộ.")
    return render(request, "integrations/dong_bo.html", {"status": sync_status()})
