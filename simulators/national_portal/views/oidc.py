"""VNeID-style OpenID Connect endpoints under /oidc/ (contract §7); the protocol work is Authlib's."""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from simulators.national_portal import oidc
from simulators.national_portal.api import json_response
from simulators.national_portal.models import Citizen

SAMPLE_SIZE = 24


@require_GET
def discovery(request: HttpRequest) -> HttpResponse:
    return json_response(oidc.discovery())


@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    return json_response(oidc.jwks())


def _samples() -> list[Citizen]:
    """Adults of both identification levels, so a tester can try a level-1 account too."""
    adults = Citizen.objects.filter(~Q(so_dien_thoai="")).order_by("id")
    level_one = list(adults.filter(muc_do_dinh_danh=1)[:4])
    return list(adults.filter(muc_do_dinh_danh=2)[: SAMPLE_SIZE - len(level_one)]) + level_one


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """GET shows the sign-in page (pick a seeded citizen); POST signs in and redirects with the code."""
    oidc.ensure_client()
    try:
        grant = oidc.server.get_consent_grant(request)
    except OAuth2Error as error:
        return oidc.server.handle_error_response(oidc.server.create_oauth2_request(request), error)
    error_message = ""
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            return oidc.server.create_authorization_response(request, grant_user=None, grant=grant)
        number = request.POST.get("so_dinh_danh", "").strip()
        citizen = Citizen.objects.filter(so_dinh_danh=number).first()
        if citizen is not None:
            grant = oidc.server.get_consent_grant(request, end_user=citizen)
            return oidc.server.create_authorization_response(request, grant_user=citizen, grant=grant)
        error_message = f"Không có công dân mang số định danh {number!r} trong kho dân cư mô phỏng."
    return render(
        request,
        "national_portal/login.html",
        {"client_id": grant.client.client_id, "samples": _samples(), "error": error_message},
        status=400 if error_message else 200,
    )


@csrf_exempt
@require_http_methods(["POST"])
def token(request: HttpRequest) -> HttpResponse:
    return oidc.server.create_token_response(request)


@require_http_methods(["GET", "POST"])
@csrf_exempt
def userinfo(request: HttpRequest) -> HttpResponse:
    try:
        access = oidc.require_token.acquire_token(request, scopes=["openid"])
    except OAuth2Error as error:
        response = json_response(dict(error.get_body()), error.status_code)
        for name, value in error.get_headers():
            response[name] = value
        return response
    claims = {k: v for k, v in oidc.claims_for(access.user).items() if v is not None}
    return json_response(claims)
