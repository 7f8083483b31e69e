"""HTTP client for the national portal (contract §1, §2, §6): machine tokens, JSON calls, failure classes.

Standard library ``http.client`` with one kept-alive connection per client (a worker is one thread): the
drain rate over a LAN or loopback is dominated by round trips, and a fresh TCP connection per batch would
double them. Every failure of a call as a whole is raised as ``PortalUnavailable`` with its kind, so that
the caller can retry (backoff, Retry-After) and feed the circuit breaker; answers about single items are
returned for the caller to judge.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings


class PortalUnavailable(Exception):
    """The call failed as a whole: nothing can be concluded about its items (they may have been applied)."""

    def __init__(
        self, kind: str, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind  # timeout | connection | server_error | rate_limited | unauthorized | bad_answer
        self.message = message
        self.status = status
        self.retry_after = retry_after

    @property
    def counts_against_breaker(self) -> bool:
        # A 429 says "slow down", not "I am down": respected, but it does not open the breaker.
        return self.kind != "rate_limited"


class PortalNotConfigured(Exception):
    pass


@dataclass
class Answer:
    status: int
    body: Any
    text: str
    headers: dict[str, str] = field(default_factory=dict)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    current = now if now is not None else time.time()
    return max(0.0, moment.timestamp() - current)


class PortalClient:
    def __init__(
        self,
        base_url: str | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        timeout: float | None = None,
    ) -> None:
        url = base_url if base_url is not None else settings.MOTCUA_NATIONAL_PORTAL_URL
        if not url:
            raise PortalNotConfigured(
                "Chưa cấu hình địa chỉ Cổng Dịch vụ công quốc gia (MOTCUA_NATIONAL_PORTAL_URL)."
            )
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PortalNotConfigured(f"Địa chỉ Cổng DVCQG không hợp lệ: {url!r}.")
        self.base_url = url.rstrip("/")
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self.client_id = client_id if client_id is not None else settings.MOTCUA_NATIONAL_CLIENT_ID
        self.client_secret = (
            client_secret if client_secret is not None else settings.MOTCUA_NATIONAL_CLIENT_SECRET
        )
        self.timeout = float(timeout if timeout is not None else settings.MOTCUA_NATIONAL_TIMEOUT_SECONDS)
        self._connection: http.client.HTTPConnection | None = None
        self._token: str | None = None
        self._token_expires = 0.0

    # --- transport ------------------------------------------------------------------------------

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _new_connection(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        return cls(self._host, self._port, timeout=self.timeout)

    def raw(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """One HTTP exchange. A kept-alive connection the server closed meanwhile is retried once on a new
        one (safe: every call we make may be repeated); other transport failures raise PortalUnavailable."""
        sent_headers = {"Accept": "application/json", **(headers or {})}
        for attempt in (1, 2):
            reused = self._connection is not None
            if self._connection is None:
                self._connection = self._new_connection()
            try:
                self._connection.request(method, self._prefix + path, body=body, headers=sent_headers)
                response = self._connection.getresponse()
                data = response.read()
            except TimeoutError as exc:
                self.close()
                raise PortalUnavailable(
                    "timeout", f"Hết thời gian chờ Cổng DVCQG sau {self.timeout:g} giây ({path})."
                ) from exc
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.close()
                if (
                    reused
                    and attempt == 1
                    and isinstance(exc, http.client.RemoteDisconnected | BrokenPipeError)
                ):
                    continue  # the idle kept-alive connection had been closed by the server
                raise PortalUnavailable("connection", f"Mất kết nối tới Cổng DVCQG ({path}): {exc}.") from exc
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise PortalUnavailable(
                    "connection", f"Không kết nối được Cổng DVCQG tại {self.base_url} ({path}): {exc}."
                ) from exc
            if response.getheader("Connection", "").lower() == "close" or response.will_close:
                self.close()
            text = data.decode("utf-8", "replace")
            try:
                parsed = json.loads(text) if text else None
            except json.JSONDecodeError:
                parsed = None
            return Answer(response.status, parsed, text, {k.lower(): v for k, v in response.getheaders()})
        raise AssertionError("unreachable")  # pragma: no cover

    # --- tokens ---------------------------------------------------------------------------------

    def token(self, *, force: bool = False) -> str:
        if not force and self._token and time.monotonic() < self._token_expires:
            return self._token
        if not self.client_id or not self.client_secret:
            raise PortalNotConfigured(
                "Chưa cấu hình MOTCUA_NATIONAL_CLIENT_ID / MOTCUA_NATIONAL_CLIENT_SECRET để lấy mã truy cập."
            )
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            }
        ).encode()
        answer = self.raw(
            "POST",
            "/oauth/token",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        self._raise_for_outage(answer, "/oauth/token")
        if answer.status in (400, 401):
            raise PortalUnavailable(
                "unauthorized",
                f"Cổng DVCQG từ chối cấp mã truy cập (HTTP {answer.status}): kiểm tra client_id/secret.",
                status=answer.status,
            )
        body = answer.body if isinstance(answer.body, dict) else {}
        token = body.get("access_token")
        if answer.status != 200 or not isinstance(token, str):
            raise PortalUnavailable(
                "bad_answer", f"Cổng DVCQG trả lời /oauth/token không hợp lệ (HTTP {answer.status})."
            )
        lifetime = body.get("expires_in")
        seconds = float(lifetime) if isinstance(lifetime, int | float) else 300.0
        self._token = token
        # Renew a little early, so a token never expires between our check and the portal's.
        self._token_expires = time.monotonic() + max(1.0, seconds - min(30.0, seconds / 10))
        return token

    # --- calls ----------------------------------------------------------------------------------

    def _raise_for_outage(self, answer: Answer, path: str) -> None:
        if answer.status == 429:
            raise PortalUnavailable(
                "rate_limited",
                f"Cổng DVCQG yêu cầu giảm tốc độ (HTTP 429, {path}).",
                status=429,
                retry_after=parse_retry_after(answer.headers.get("retry-after")),
            )
        if answer.status >= 500:
            raise PortalUnavailable(
                "server_error",
                f"Cổng DVCQG lỗi HTTP {answer.status} ({path}).",
                status=answer.status,
                retry_after=parse_retry_after(answer.headers.get("retry-after")),
            )

    def call(
        self, method: str, path: str, payload: Any = None, query: dict[str, Any] | None = None
    ) -> Answer:
        """An authenticated call. 401 → a new token and one retry. Outages raise; other answers return."""
        if query:
            path = f"{path}?{urllib.parse.urlencode(query)}"
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self.token(force=attempt == 2)}"}
            if body is not None:
                headers["Content-Type"] = "application/json; charset=utf-8"
            answer = self.raw(method, path, body=body, headers=headers)
            if answer.status == 401 and attempt == 1:
                continue
            self._raise_for_outage(answer, path)
            if answer.status == 401:
                raise PortalUnavailable(
                    "unauthorized", f"Cổng DVCQG không chấp nhận mã truy cập mới ({path}).", status=401
                )
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def batch(self, path: str, key: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """POST {key: items} and return the per-item results, checked to answer the items in order."""
        answer = self.call("POST", path, {key: items})
        body = answer.body if isinstance(answer.body, dict) else None
        results = body.get("KetQua") if body else None
        if answer.status != 200 or not isinstance(results, list) or len(results) != len(items):
            detail = answer.text[:300]
            raise PortalUnavailable(
                "bad_answer",
                f"Cổng DVCQG trả lời {path} không như hợp đồng (HTTP {answer.status}): {detail}",
                status=answer.status,
            )
        return results

    def create(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.batch("/api/hoso/them-moi", "HoSo", items)

    def update(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.batch("/api/hoso/cap-nhat", "HoSo", items)

    def progress(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.batch("/api/hoso/tien-trinh", "TienTrinh", items)

    def lookup(self, code: str) -> dict[str, Any] | None:
        answer = self.call("GET", "/api/hoso/tra-cuu", query={"MaHoSo": code})
        if answer.status == 404:
            return None
        body = answer.body if isinstance(answer.body, dict) else {}
        if answer.status != 200 or not isinstance(body.get("HoSo"), dict):
            raise PortalUnavailable("bad_answer", f"Tra cứu hồ sơ {code} trả lời HTTP {answer.status}.")
        return body["HoSo"]

    def listing(self, **query: Any) -> dict[str, Any]:
        answer = self.call("GET", "/api/hoso/danh-sach", query=query)
        body = answer.body if isinstance(answer.body, dict) else None
        if answer.status != 200 or body is None or not isinstance(body.get("DanhSach"), list):
            raise PortalUnavailable(
                "bad_answer", f"Danh sách hồ sơ trả lời HTTP {answer.status}: {answer.text[:200]}"
            )
        return body


def now_utc() -> datetime:
    return datetime.now(tz=UTC)
