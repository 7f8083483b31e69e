"""What the HTTT keeps about its connections to the national platforms.

The messages themselves are the dossiers' outbox rows (motcua.dossiers.models.OutboxMessage, written in the
same transaction as each change); this package only adds the state shared by every worker process (the
portal's health and circuit breaker), the record of reconciliation sweeps, notification templates and their
per-channel deliveries, population-database lookups and the file types a procedure accepts online.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalHealth(models.Model):
    """One row per partner ("national_portal"): the circuit breaker every worker on every machine obeys."""

    class State(models.TextChoices):
        CLOSED = "closed", _("Bình thường")
        OPEN = "open", _("Ngắt (tạm dừng gửi)")
        HALF_OPEN = "half_open", _("Đang thử lại")

    name = models.CharField(max_length=40, primary_key=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.CLOSED)
    consecutive_failures = models.PositiveIntegerField(_("số lần lỗi liên tiếp"), default=0)
    opened_at = models.DateTimeField(_("ngắt lúc"), null=True, blank=True)
    open_count = models.PositiveIntegerField(_("số lần ngắt"), default=0)
    # No call before this moment: the breaker's cool-down, or a Retry-After the portal asked for.
    blocked_until = models.DateTimeField(_("tạm dừng đến"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("thành công gần nhất"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("lỗi gần nhất lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    # The periodic reconciliation sweep runs on one worker at a time: the first to move this wins.
    reconcile_due_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tình trạng kết nối")
        verbose_name_plural = _("tình trạng kết nối")
        permissions = [("resend_outbox", _("Gửi lại tin nhắn đồng bộ"))]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_state_display()}"


class ReconciliationRun(models.Model):
    """One reconciliation sweep: the period compared and what was repaired."""

    started_at = models.DateTimeField(_("bắt đầu"))
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    period_from = models.DateTimeField(_("từ"))
    period_to = models.DateTimeField(_("đến"))
    checked = models.PositiveIntegerField(_("số hồ sơ đối chiếu"), default=0)
    fixed = models.PositiveIntegerField(_("số hồ sơ được sửa"), default=0)
    ok = models.BooleanField(_("hoàn tất"), default=False)
    report = models.JSONField(_("kết quả"), default=dict)

    class Meta:
        verbose_name = _("lần đối soát")
        verbose_name_plural = _("các lần đối soát")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%d/%m/%Y %H:%M}: {self.checked} hồ sơ, sửa {self.fixed}"


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class NotificationTemplate(models.Model):
    """A Vietnamese message for one kind of notice on one channel; {placeholders} from the notice."""

    key = models.CharField(_("loại thông báo"), max_length=40)
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(
        _("nội dung"),
        help_text=_(
            "Có thể dùng: {ho_ten}, {ma_ho_so}, {noi_dung}, {trang_thai}, {han_tra}, {ten_he_thong}, "
            "{duong_dan_tra_cuu}"
        ),
    )
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo")
        ordering = ["key", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel"], name="notification_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_channel_display()})"


class NotificationDelivery(models.Model):
    """One channel of one notice, once sent: a retried notice never repeats a channel that succeeded."""

    message = models.ForeignKey(
        "dossiers.OutboxMessage", on_delete=models.PROTECT, related_name="notification_deliveries"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("thông báo đã gửi")
        verbose_name_plural = _("thông báo đã gửi")
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="notification_delivery_unique")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.channel}"


class PopulationLookup(models.Model):
    """One query to the population database: who asked, when, why, for which dossier, and whether it matched.

    The citizen's data returned is never stored here; the number is kept only as its last four digits and
    a keyed hash, enough for an audit ("was this person looked up?") without a copy of the register.
    """

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("cán bộ")
    )
    at = models.DateTimeField(_("thời điểm"))
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hồ sơ"),
    )
    purpose = models.CharField(_("mục đích"), max_length=255)
    request_code = models.CharField(_("mã yêu cầu"), max_length=60, unique=True)
    number_last4 = models.CharField(_("4 số cuối"), max_length=4)
    number_digest = models.CharField(max_length=64, db_index=True)
    matched = models.BooleanField(_("khớp"), null=True)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("tra cứu CSDL dân cư")
        verbose_name_plural = _("tra cứu CSDL dân cư")
        ordering = ["-at"]
        indexes = [models.Index(fields=["officer", "at"], name="population_officer_at")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.officer} …{self.number_last4}"


class IntakeFilePolicy(models.Model):
    """File types a procedure accepts in online dossiers besides images and PDFs (the default)."""

    procedure = models.OneToOneField(
        "catalogue.Procedure", on_delete=models.CASCADE, related_name="+", verbose_name=_("thủ tục")
    )
    extra_types = models.JSONField(
        _("loại tệp được nhận thêm"),
        default=list,
        blank=True,
        help_text=_("Danh sách trong: docx, xlsx, doc, xls, zip, xml, tiff, gif, webp"),
    )
    max_file_mb = models.PositiveIntegerField(_("dung lượng tối đa mỗi tệp (MB)"), null=True, blank=True)

    class Meta:
        verbose_name = _("loại tệp nhận trực tuyến")
        verbose_name_plural = _("loại tệp nhận trực tuyến")

    def __str__(self) -> str:
        return str(self.procedure)
