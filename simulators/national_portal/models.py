"""What the simulated national platforms keep, in their own store (the ``national_portal`` database).

Wire payloads are kept as received (``payload``) so that /sim/export shows exactly what the HTTT sent; the
few columns beside them exist to be queried (codes, statuses, times) or to hold the anomaly bookkeeping.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oidc.core import AuthorizationCodeMixin as OidcAuthorizationCodeMixin
from django.db import models
from django.utils import timezone


def epoch_now() -> int:
    return int(time.time())


# --- Machine access -------------------------------------------------------------------------------


class MachineToken(models.Model):
    """A bearer token issued by POST /oauth/token (client credentials). Only its hash is kept."""

    token_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=100)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.client_id} → {self.expires_at:%Y-%m-%d %H:%M}"


class Counter(models.Model):
    """A named counter shown by GET /sim/stats; incremented with UPDATE … SET value = value + n."""

    name = models.CharField(max_length=60, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class FaultConfig(models.Model):
    """The single row of fault settings (pk=1), replaced by POST /sim/faults."""

    error_rate = models.FloatField(default=0)
    timeout_rate = models.FloatField(default=0)
    reset_rate = models.FloatField(default=0)
    rate_limit_rate = models.FloatField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    down = models.BooleanField(default=False)
    duplicate_callback_rate = models.FloatField(default=0)
    late_callback_rate = models.FloatField(default=0)
    callback_delay_ms = models.PositiveIntegerField(default=2000)
    wrong_amount_callback_rate = models.FloatField(default=0)
    timeout_applied_rate = models.FloatField(default=0.5)
    timeout_hold_ms = models.PositiveIntegerField(default=15000)
    retry_after_s = models.PositiveIntegerField(default=1)
    seed = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Thiết lập lỗi mô phỏng"


# --- Dossier sync ---------------------------------------------------------------------------------


class Dossier(models.Model):
    """One HoSo as last accepted (the payload of the newest ThoiDiemCapNhat)."""

    ma_ho_so = models.CharField(max_length=100, unique=True)
    ma_don_vi = models.CharField(max_length=64, db_index=True)
    trang_thai = models.PositiveSmallIntegerField()
    thoi_diem_cap_nhat = models.DateTimeField()
    # NgayTiepNhan, else NgayNopHoSo: the stable date that /api/hoso/danh-sach filters on by default.
    ngay_ho_so = models.DateTimeField(null=True, blank=True)
    payload = models.JSONField()
    # Anomaly bookkeeping, recomputed under the row lock whenever the dossier or its log changes.
    statuses_seen = models.JSONField(default=list)  # every status accepted through create/update
    log_statuses = models.JSONField(default=list)  # every status reached by a stored progress event
    log_last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    log_order_ok = models.BooleanField(default=True)
    log_gap = models.BooleanField(default=False)
    event_count = models.PositiveIntegerField(default=0)
    update_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Serves /api/hoso/danh-sach: one agency, one period, paged by code.
            models.Index(fields=["ma_don_vi", "ngay_ho_so"], name="np_dossier_unit_day"),
            models.Index(fields=["ma_don_vi", "thoi_diem_cap_nhat"], name="np_dossier_unit_upd"),
        ]

    def __str__(self) -> str:
        return f"{self.ma_ho_so} ({self.trang_thai})"


class ProgressEvent(models.Model):
    """One QuaTrinhXuLy. MaSuKien is unique: a resend answers -6 and stores nothing."""

    ma_su_kien = models.CharField(max_length=100, unique=True)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    thoi_diem_xu_ly = models.DateTimeField()
    trang_thai = models.PositiveSmallIntegerField()
    # SHA-256 of the event without its MaSuKien: the same event resent under a new id is an anomaly.
    content_hash = models.CharField(max_length=64)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["dossier", "thoi_diem_xu_ly"], name="np_event_dossier_time"),
            models.Index(fields=["dossier", "content_hash"], name="np_event_dossier_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.ma_su_kien} → {self.trang_thai}"


class Anomaly(models.Model):
    """Something the HTTT sent that a correct sender never sends (gaps are computed, not stored)."""

    STATUS_BACKWARDS = "status_backwards"
    DUPLICATE_CONFLICT = "duplicate_conflict"
    DUPLICATE_CONTENT = "duplicate_content"
    MALFORMED = "malformed"
    KINDS = [
        (STATUS_BACKWARDS, "Trạng thái đi lùi"),
        (DUPLICATE_CONFLICT, "Trùng MaSuKien nhưng khác nội dung"),
        (DUPLICATE_CONTENT, "Cùng một sự kiện gửi lại với MaSuKien khác"),
        (MALFORMED, "Trường dữ liệu sai định dạng"),
    ]

    kind = models.CharField(max_length=30, choices=KINDS, db_index=True)
    ma_ho_so = models.CharField(max_length=100, blank=True, db_index=True)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} {self.ma_ho_so}"


# --- Payment platform -----------------------------------------------------------------------------


class Payment(models.Model):
    PENDING = "pending"
    PAID = "paid"
    CANCELLED = "cancelled"
    STATES = [(PENDING, "Chờ thanh toán"), (PAID, "Đã thanh toán"), (CANCELLED, "Đã hủy")]

    ma_tham_chieu = models.CharField(max_length=100, unique=True)
    ma_giao_dich = models.CharField(max_length=40, unique=True)
    ma_doi_tac = models.CharField(max_length=50)
    so_tien = models.BigIntegerField()
    thong_tin_giao_dich = models.CharField(max_length=500, blank=True)
    url_tra_ve = models.CharField(max_length=500, blank=True)
    request_payload = models.JSONField()
    state = models.CharField(max_length=12, choices=STATES, default=PENDING)
    ma_loi = models.CharField(max_length=2, blank=True)  # "00" paid, "24" cancelled by the payer
    thoi_gian_gd = models.CharField(max_length=14, blank=True)  # when paid/cancelled, yyyyMMddHHmmss
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.ma_tham_chieu} {self.so_tien} VND ({self.state})"


class PaymentCallback(models.Model):
    """One delivery attempt of a payment result to the HTTT (each duplicate/late copy is its own row)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="callbacks")
    copy = models.CharField(max_length=20)  # "normal", "duplicate", "late", "manual"
    attempt = models.PositiveSmallIntegerField()
    body = models.JSONField()
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_text = models.TextField(blank=True)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.payment_id} {self.copy} → {self.http_status or self.error}"


# --- Citizen data store ---------------------------------------------------------------------------


class StoredDocument(models.Model):
    ma_giay_to_so = models.CharField(max_length=120, unique=True)
    so_dinh_danh = models.CharField(max_length=20)
    ma_ket_qua = models.CharField(max_length=40)
    so_ky_hieu = models.CharField(max_length=100)
    ten_giay_to = models.CharField(max_length=500)
    ngay_cap = models.CharField(max_length=14)
    co_quan_cap = models.CharField(max_length=300)
    hieu_luc_den = models.CharField(max_length=14, blank=True)
    ten_tep = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["so_dinh_danh", "ma_ket_qua", "so_ky_hieu"], name="np_document_owner_result_number"
            )
        ]

    def __str__(self) -> str:
        return self.ma_giay_to_so


# --- Population database --------------------------------------------------------------------------


class PopulationSeed(models.Model):
    """Marks the population as seeded, with what: re-seeding with the same values changes nothing."""

    seed = models.BigIntegerField()
    size = models.PositiveIntegerField()
    units_source = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"seed={self.seed} size={self.size}"


class Household(models.Model):
    ma_ho = models.CharField(max_length=20, unique=True)
    ma_tinh = models.CharField(max_length=2)
    ma_xa = models.CharField(max_length=5)
    dia_chi = models.CharField(max_length=300)

    def __str__(self) -> str:
        return self.ma_ho


class Citizen(models.Model):
    so_dinh_danh = models.CharField(max_length=12, unique=True)
    ho_va_ten = models.CharField(max_length=100)
    gioi_tinh = models.CharField(max_length=3)  # "Nam" / "Nữ"
    ngay_sinh = models.DateField()
    quoc_tich = models.CharField(max_length=50, default="Việt Nam")
    dan_toc = models.CharField(max_length=30)
    que_quan = models.CharField(max_length=300)
    ma_tinh = models.CharField(max_length=2)
    ma_xa = models.CharField(max_length=5)
    dia_chi = models.CharField(max_length=300)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    quan_he_chu_ho = models.CharField(max_length=30)
    cha = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    me = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vo_chong = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tinh_trang_hon_nhan = models.CharField(max_length=30)
    so_dien_thoai = models.CharField(max_length=15, blank=True)
    email = models.CharField(max_length=120, blank=True)
    ma_tai_khoan = models.CharField(max_length=40, unique=True)  # VNeID account id: OIDC sub, MaDoiTuong
    muc_do_dinh_danh = models.PositiveSmallIntegerField(default=2)

    def __str__(self) -> str:
        return f"{self.ho_va_ten} ({self.so_dinh_danh})"


class PopulationQuery(models.Model):
    """Every POST /api/dancu/tra-cuu, matched or not: the national side logs lookups too."""

    so_dinh_danh = models.CharField(max_length=20)
    ho_va_ten = models.CharField(max_length=200)
    ngay_sinh = models.CharField(max_length=20)
    ma_yeu_cau = models.CharField(max_length=100, blank=True)
    ma_can_bo = models.CharField(max_length=100)
    muc_dich = models.CharField(max_length=500)
    ma_ho_so = models.CharField(max_length=100, blank=True)
    tim_thay = models.BooleanField()
    client_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.so_dinh_danh} by {self.ma_can_bo} ({self.tim_thay})"


# --- Intake (national portal → HTTT) --------------------------------------------------------------


class IntakeBatch(models.Model):
    """One POST /sim/submit."""

    requested = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Lô {self.pk}"


class IntakePush(models.Model):
    """One copy of one online dossier pushed to the HTTT, with the HTTT's final answer."""

    batch = models.ForeignKey(IntakeBatch, on_delete=models.CASCADE, related_name="pushes")
    ma_ho_so_quoc_gia = models.CharField(max_length=60, db_index=True)
    copy = models.PositiveSmallIntegerField(default=1)
    ma_tthc = models.CharField(max_length=20)
    ma_don_vi = models.CharField(max_length=64)
    so_dinh_danh = models.CharField(max_length=12)
    payload_summary = models.JSONField()  # the payload with file contents replaced by their size and hash
    attempts = models.JSONField(default=list)  # [{"at", "status"|"error", "elapsed_ms"}]
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    ma_ho_so = models.CharField(max_length=100, blank=True)
    response = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.ma_ho_so_quoc_gia}#{self.copy} → {self.http_status}"


# --- Citizen login (VNeID-style OpenID Connect provider, served by Authlib) ------------------------


class SigningKey(models.Model):
    """The provider's RSA key (PEM), created on first use and published in the JWKS."""

    kid = models.CharField(max_length=100, unique=True)
    private_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.kid


class OidcClient(ClientMixin, models.Model):
    client_id = models.CharField(max_length=100, unique=True)
    client_secret = models.CharField(max_length=200)
    redirect_uris = models.JSONField(default=list)
    scope = models.CharField(max_length=200, default="openid profile email phone")

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(self.client_secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if endpoint == "token":
            return method in ("client_secret_basic", "client_secret_post")
        return True

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"

    def __str__(self) -> str:
        return self.client_id


class OidcAuthorizationCode(OidcAuthorizationCodeMixin, models.Model):
    code = models.CharField(max_length=120, unique=True)
    client_id = models.CharField(max_length=100)
    user = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.TextField()
    scope = models.TextField(default="")
    nonce = models.CharField(max_length=200, blank=True)
    code_challenge = models.CharField(max_length=128)
    code_challenge_method = models.CharField(max_length=10)
    auth_time = models.BigIntegerField(default=epoch_now)
    used = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["client_id", "nonce"], name="np_oidc_code_nonce")]

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce or None

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> Any:
        return None

    def get_amr(self) -> Any:
        return None

    def is_expired(self) -> bool:
        return self.auth_time + 300 < time.time()

    def __str__(self) -> str:
        return f"{self.client_id} for {self.user_id}"


class OidcToken(TokenMixin, models.Model):
    client_id = models.CharField(max_length=100)
    user = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="+")
    token_type = models.CharField(max_length=40)
    access_token = models.CharField(max_length=255, unique=True)
    refresh_token = models.CharField(max_length=255, blank=True)
    scope = models.TextField(default="")
    expires_in = models.IntegerField(default=3600)
    issued_at = models.BigIntegerField(default=epoch_now)
    revoked = models.BooleanField(default=False)

    def check_client(self, client: OidcClient) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return self.issued_at + self.expires_in < time.time()

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> Citizen:
        return self.user

    def get_client(self) -> OidcClient:
        return OidcClient.objects.get(client_id=self.client_id)

    def __str__(self) -> str:
        return f"{self.client_id} for {self.user_id}"
