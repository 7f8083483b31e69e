"""API authentication: a staff API token (Authorization: Bearer mc_…) or the signed-in session."""

from __future__ import annotations

from ninja.security import HttpBearer, django_auth

from .models import ApiToken


class StaffToken(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


STAFF_AUTH = [StaffToken(), django_auth]
