"""What every HTTT-facing endpoint shares: faults, bearer tokens, request counting, JSON in and out."""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from simulators.national_portal import conf, counters, faults
from simulators.national_portal.models import MachineToken

# The server (simulators.national_portal.server) turns a response carrying this header into a dropped
# connection; through Django's test client it stays a visible 599 so tests can count the drops.
DROP_HEADER = "X-Sim-Drop"
DROP_STATUS = 599

MAX_BATCH = 100


class ApiError(Exception):
    """Raised inside a view to answer with ``body`` and ``status`` at once."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body)
        self.status = status
        self.body = body


def json_response(body: Any, status: int = 200, **headers: str) -> JsonResponse:
    response = JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def problem(message: str, problems: list[tuple[str, str]] | None = None, code: str = "-1") -> dict[str, Any]:
    """The simulator's error body: the contract's error_code plus the HTTT's own {truong, thong_bao} list."""
    body: dict[str, Any] = {"error_code": code, "message": message}
    if problems:
        body["loi"] = [{"truong": field, "thong_bao": reason} for field, reason in problems]
    return body


def read_json(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, problem(f"Nội dung yêu cầu không phải JSON hợp lệ: {exc}")) from None


def read_batch(request: HttpRequest, key: str) -> list[Any]:
    """``{key: [...]}`` with 1…100 items, else 400 for the whole request."""
    body = read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise ApiError(400, problem(f'Nội dung phải có dạng {{"{key}": [ … ]}}', [(key, "thiếu danh sách")]))
    items = body[key]
    if not items:
        raise ApiError(400, problem("Danh sách rỗng", [(key, "phải có ít nhất một phần tử")]))
    if len(items) > MAX_BATCH:
        raise ApiError(
            400,
            problem(
                f"Mỗi lần gửi tối đa {MAX_BATCH} phần tử, nhận {len(items)}",
                [(key, f"{len(items)} phần tử, tối đa {MAX_BATCH}")],
            ),
        )
    return items


# --- Machine tokens (contract §1) -----------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(client_id: str) -> dict[str, Any]:
    now = timezone.now()
    ttl = conf.token_ttl_seconds()
    token = secrets.token_urlsafe(32)
    MachineToken.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    MachineToken.objects.create(
        token_hash=_hash(token), client_id=client_id, issued_at=now, expires_at=now + timedelta(seconds=ttl)
    )
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}


def bearer_client(request: HttpRequest) -> str | None:
    """The client id of a valid, unexpired bearer token on the request, else None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    row = MachineToken.objects.filter(token_hash=_hash(token.strip()), expires_at__gt=timezone.now()).first()
    return row.client_id if row else None


def unauthorized() -> JsonResponse:
    counters.bump(unauthorized=1)
    response = json_response(
        problem("Mã truy cập không hợp lệ hoặc đã hết hạn; lấy mã mới tại /oauth/token", code="401"), 401
    )
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


# --- The decorator --------------------------------------------------------------------------------


def injected(response: HttpResponse) -> HttpResponse:
    """Mark an injected failure so Django does not log it as a server error of the simulator itself."""
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def drop_response(kind: str, hold_ms: int = 0) -> HttpResponse:
    response = HttpResponse(status=DROP_STATUS, reason="Simulated connection drop")
    response[DROP_HEADER] = f"{kind};hold_ms={hold_ms}"
    return injected(response)


def national_api(*methods: str, bearer: bool = True) -> Callable[[Callable[..., HttpResponse]], Any]:
    """Wrap an HTTT-facing view: count it, inject the configured faults, then check the bearer token.

    Faults come first because they stand for the network and the portal's front end, which fail before
    any authentication happens. The wrapped view receives the authenticated client id.
    """

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = json_response(problem(f"Chỉ nhận {', '.join(methods)}"), 405)
                response["Allow"] = ", ".join(methods)
                return response
            counters.bump(requests=1)
            decision = faults.decide(faults.current())
            if decision.outcome == "down":
                counters.bump(fault_down=1)
                return injected(
                    json_response(
                        problem("Hệ thống đang tạm dừng (mô phỏng)", code="-99"),
                        503,
                        Retry_After=str(decision.retry_after_s),
                    )
                )
            if decision.outcome == "error":
                counters.bump(fault_error=1)
                return injected(json_response(problem("Lỗi máy chủ (mô phỏng)", code="-99"), decision.status))
            if decision.outcome == "rate_limit":
                counters.bump(fault_rate_limit=1)
                return injected(
                    json_response(
                        problem("Vượt giới hạn số yêu cầu (mô phỏng)", code="-98"),
                        429,
                        Retry_After=str(decision.retry_after_s),
                    )
                )
            if decision.outcome == "reset":
                counters.bump(fault_reset=1)
                return drop_response("reset")
            if decision.latency_s:
                time.sleep(decision.latency_s)
            client_id = ""
            if bearer:
                found = bearer_client(request)
                if found is None:
                    return unauthorized()
                client_id = found
            if decision.outcome == "timeout":
                counters.bump(fault_timeout=1)
                if decision.applied:
                    counters.bump(fault_timeout_applied=1)
                    _run(view, request, client_id, args, kwargs)
                return drop_response("timeout", decision.hold_ms)
            return _run(view, request, client_id, args, kwargs)

        return inner

    return wrap


def _run(
    view: Callable[..., HttpResponse], request: HttpRequest, client_id: str, args: Any, kwargs: Any
) -> Any:
    try:
        return view(request, client_id, *args, **kwargs)
    except ApiError as exc:
        return json_response(exc.body, exc.status)
