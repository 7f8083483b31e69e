"""Dossiers (hồ sơ), their parts, and the append-only event log that is their history.

The only way to change a dossier is a command in `commands.py`; every command appends a `DossierEvent` and,
when the outside world must know, an `OutboxMessage`, in the same transaction. The columns the inboxes
filter on (state, step, holder, due time) live on the dossier row itself, indexed, so that inbox pages
never read the event log or the process engine.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalogue.models import Channel as CatalogueChannel
from motcua.catalogue.models import Component as CatalogueComponent
from motcua.catalogue.models import Subject
from motcua.deadlines.units import DurationUnit, PauseReason
from motcua.workflow.vocabulary import OPEN_STATES, Action, State


class IntakeChannel(models.TextChoices):
    """How the dossier arrived (KenhThucHien). VNeID has no known national code yet: it is a setting."""

    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến (Cổng DVC)")
    POSTAL = "postal", _("Dịch vụ bưu chính công ích")
    VNEID = "vneid", _("Ứng dụng VNeID")
    NATIONAL_PORTAL = "national_portal", _("Cổng Dịch vụ công quốc gia")


# The catalogue channel whose duration and fees apply to each intake channel.
CATALOGUE_CHANNEL_FOR_INTAKE: dict[str, str] = {
    IntakeChannel.IN_PERSON: CatalogueChannel.IN_PERSON,
    IntakeChannel.POSTAL: CatalogueChannel.POSTAL,
    IntakeChannel.ONLINE: CatalogueChannel.ONLINE,
    IntakeChannel.VNEID: CatalogueChannel.ONLINE,
    IntakeChannel.NATIONAL_PORTAL: CatalogueChannel.ONLINE,
}


class ResultDelivery(models.TextChoices):
    """HinhThucNhanKetQua: 1 counter, 2 postal, 3 online."""

    COUNTER = "counter", _("Nhận tại bộ phận một cửa")
    POSTAL = "postal", _("Nhận qua dịch vụ bưu chính")
    ONLINE = "online", _("Nhận trực tuyến")


class IdKind(models.TextChoices):
    """LoaiDinhDanh: 1 twelve-digit personal number, 2 legacy nine-digit card, 3 enterprise tax code."""

    PERSONAL = "personal", _("Số định danh cá nhân (12 số)")
    LEGACY_CARD = "legacy_card", _("Chứng minh nhân dân (9 số)")
    TAX_CODE = "tax_code", _("Mã số thuế")


class PaymentStatus(models.TextChoices):
    NONE = "none", _("Không phải nộp")
    DUE = "due", _("Chưa nộp")
    PAID = "paid", _("Đã nộp")


class PaidOnline(models.IntegerChoices):
    """DuocThanhToanTrucTuyen of the national contract."""

    NO = 0, _("Không thanh toán trực tuyến")
    NATIONAL_PLATFORM = 1, _("Thanh toán qua nền tảng quốc gia")
    OWN_GATEWAY = 2, _("Thanh toán qua cổng của hệ thống")


class Dossier(models.Model):
    # Not a column: (version, hash of that version's event) read with the row lock by the commands, so the
    # next event links to the chain without one more query (motcua/dossiers/commands.py, _lock).
    locked_chain_tip: tuple[int, str] | None = None

    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True)
    national_dossier_id = models.CharField(
        _("mã hồ sơ quốc gia"), max_length=60, unique=True, null=True, blank=True
    )
    # What it is for, pinned at reception: later catalogue or process changes never rewrite it.
    procedure_version = models.ForeignKey(
        "catalogue.ProcedureVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("thủ tục (phiên bản)"),
    )
    procedure = models.ForeignKey(
        "catalogue.Procedure", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("thủ tục")
    )
    process = models.ForeignKey(
        "workflow.ProcessDefinition",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("quy trình nội bộ"),
    )
    channel = models.CharField(_("kênh tiếp nhận"), max_length=16, choices=IntakeChannel.choices)
    # Three organisation attributes that may all differ (regardless of administrative boundaries).
    # No single-column index on these two, nor on holder_unit: the composite indexes in Meta lead with
    # them and serve every lookup by the column alone (a foreign key's check included). A row written to
    # the busiest tables costs one index entry fewer per redundant index (docs/performance.md §4).
    reception_point = models.ForeignKey(
        "org.ReceptionPoint",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("nơi tiếp nhận"),
    )
    competent_agency = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("cơ quan có thẩm quyền"),
    )
    handling_unit = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phòng thụ lý"),
    )
    return_point = models.ForeignKey(
        "org.ReceptionPoint", on_delete=models.PROTECT, related_name="+", verbose_name=_("nơi trả kết quả")
    )
    result_delivery = models.CharField(
        _("hình thức nhận kết quả"),
        max_length=10,
        choices=ResultDelivery.choices,
        default=ResultDelivery.COUNTER,
    )
    delivery_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=500, blank=True)

    # Applicant (chủ hồ sơ) and authorised person (người được ủy quyền).
    subject_type = models.CharField(
        _("loại đối tượng"), max_length=16, choices=Subject.choices, default=Subject.CITIZEN
    )
    applicant_name = models.CharField(_("họ tên chủ hồ sơ"), max_length=255)
    applicant_id_kind = models.CharField(
        _("loại giấy tờ"), max_length=16, choices=IdKind.choices, default=IdKind.PERSONAL
    )
    applicant_id_number = models.CharField(_("số định danh / mã số thuế"), max_length=20)
    applicant_birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_account_id = models.CharField(_("mã tài khoản quốc gia"), max_length=60, blank=True)
    vneid_verified = models.BooleanField(_("tài khoản xác thực VNeID"), default=False)
    population_data_used = models.BooleanField(_("đã khai thác CSDL dân cư"), default=False)
    delegate_name = models.CharField(_("người được ủy quyền"), max_length=255, blank=True)
    delegate_id_number = models.CharField(_("số định danh người được ủy quyền"), max_length=20, blank=True)
    delegate_phone = models.CharField(_("điện thoại người được ủy quyền"), max_length=20, blank=True)

    summary = models.CharField(_("trích yếu"), max_length=1000)
    form_data = models.JSONField(_("dữ liệu tờ khai"), default=dict, blank=True)
    sets_count = models.PositiveSmallIntegerField(_("số bộ hồ sơ"), default=1)

    # Where it stands now (a projection of the events; indexed for the inboxes).
    state = models.CharField(_("trạng thái"), max_length=24, choices=State.choices)
    national_status = models.PositiveSmallIntegerField(_("trạng thái quốc gia"))
    current_step = models.CharField(_("bước hiện tại"), max_length=50, blank=True)
    holder_unit = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # dossier_unit_state_due leads with it
        verbose_name=_("đơn vị đang giữ"),
    )
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người đang xử lý"),
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=0)  # = number of events

    # Time (rules.md §3.3, §4): every figure computed by the deadline engine.
    duration_value = models.DecimalField(_("thời hạn"), max_digits=7, decimal_places=2, null=True, blank=True)
    duration_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=16, choices=DurationUnit.choices, default=DurationUnit.NONE
    )
    supplement_policy = models.CharField(_("cách tính thời hạn khi bổ sung"), max_length=8, default="pause")
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("hạn trả ban đầu"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn trả hiện tại"), null=True, blank=True)
    step_started_at = models.DateTimeField(_("bắt đầu bước lúc"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    paused_at = models.DateTimeField(_("tạm dừng từ"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc xử lý lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    extended = models.BooleanField(_("đã gia hạn"), default=False)

    payment_status = models.CharField(
        _("tình trạng nộp phí"), max_length=8, choices=PaymentStatus.choices, default=PaymentStatus.NONE
    )
    paid_online = models.PositiveSmallIntegerField(
        _("thanh toán trực tuyến"), choices=PaidOnline.choices, default=PaidOnline.NO
    )
    fee_total = models.BigIntegerField(_("tổng phí, lệ phí (đồng)"), default=0)

    search_text = models.CharField(max_length=600, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-id"]
        indexes = [
            # Who holds what, in any state: the "held by a unit in my scope" arm of `visible_dossiers`.
            models.Index(fields=["holder_unit", "state", "due_at"], name="dossier_unit_state_due"),
            # Inbox "my unit's" / "due soon" / "overdue" and "mine": open dossiers only, in the page's order
            # (due time, then id). Partial, so a tab reads its first page straight off the index however
            # many closed dossiers the unit has behind it — the inbox must not slow down as the years pile
            # up (bench/reads.py: 100k against 1M) — and closing a dossier takes it out of these indexes.
            models.Index(
                fields=["holder_unit", "due_at", "id"],
                condition=models.Q(state__in=sorted(OPEN_STATES)),
                name="dossier_unit_open_due",
            ),
            models.Index(
                fields=["holder_user", "due_at", "id"],
                condition=models.Q(state__in=sorted(OPEN_STATES)),
                name="dossier_user_open_due",
            ),
            # Inbox "to receive": online dossiers waiting at a reception point.
            models.Index(fields=["reception_point", "state", "submitted_at"], name="dossier_reception_state"),
            # Supervisors and the overdue sweep: open dossiers by due time.
            models.Index(fields=["state", "due_at"], name="dossier_state_due"),
            models.Index(fields=["competent_agency", "received_at"], name="dossier_agency_received"),
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_id"),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        from motcua.core.text import fold

        self.search_text = fold(f"{self.code} {self.applicant_name} {self.applicant_id_number}")[:600]
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        from motcua.workflow.vocabulary import OPEN_STATES

        return self.state in OPEN_STATES


class DossierComponent(models.Model):
    """One supplied document (thành phần hồ sơ) with its digitisation and reuse flags (feed the index)."""

    class Reuse(models.IntegerChoices):
        NO = 0, _("Không tái sử dụng")
        FROM_COMPONENT = 1, _("Tái sử dụng từ thành phần hồ sơ khác")
        FROM_RESULT = 2, _("Tái sử dụng từ kết quả")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(
        CatalogueComponent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.TextField(_("tên giấy tờ"))
    form = models.CharField(
        _("hình thức"),
        max_length=16,
        choices=CatalogueComponent.Form.choices,
        default=CatalogueComponent.Form.ORIGINAL,
    )
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    provided = models.BooleanField(_("đã nộp"), default=True)
    file = models.FileField(_("tệp"), upload_to="dossiers/%Y/%m/", blank=True)
    file_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    digitised = models.BooleanField(_("đã số hóa"), default=False)
    digitised_code = models.CharField(_("mã số hóa"), max_length=120, blank=True)
    reuse = models.PositiveSmallIntegerField(_("tái sử dụng"), choices=Reuse.choices, default=Reuse.NO)
    from_national_store = models.BooleanField(_("lấy từ kho dữ liệu quốc gia"), default=False)
    replacing_result_code = models.CharField(_("mã kết quả thay thế"), max_length=20, blank=True)
    added_at = models.DateTimeField(_("thêm lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name[:80]


class DossierFee(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fees")
    code = models.CharField(_("mã phí"), max_length=50, blank=True)
    name = models.CharField(_("tên phí, lệ phí"), max_length=500)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    kind = models.CharField(_("loại"), max_length=16, default="fee")  # fee | obligation (nghĩa vụ tài chính)
    paid_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    payment_method = models.CharField(_("hình thức thu"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"


class DossierResult(models.Model):
    """A result document (e-result): drafted by the specialist, signed by the leader, issued by the clerk."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="results")
    name = models.TextField(_("tên kết quả"))
    result_code = models.CharField(_("mã kết quả"), max_length=20, blank=True)
    is_refusal = models.BooleanField(_("văn bản từ chối giải quyết"), default=False)
    document_number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    file = models.FileField(_("tệp"), upload_to="results/%Y/%m/", blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    drafted_at = models.DateTimeField(_("dự thảo lúc"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    issued_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("kết quả giải quyết")
        verbose_name_plural = _("kết quả giải quyết")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name[:80]


class Draft(models.Model):
    """A document that needs approval before it is sent: supplement request, apology, stop notice…"""

    class Kind(models.TextChoices):
        SUPPLEMENT_REQUEST = "supplement_request", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ duyệt")
        SENT = "sent", _("Đã duyệt và gửi")
        WITHDRAWN = "withdrawn", _("Đã hủy")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="drafts")
    kind = models.CharField(_("loại"), max_length=24, choices=Kind.choices)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    content = models.JSONField(_("nội dung"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("tạo lúc"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("dự thảo văn bản")
        verbose_name_plural = _("dự thảo văn bản")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class Pause(models.Model):
    """An interval during which the legal clock did not run (supplementation, financial obligation)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("lý do"), max_length=12, choices=PauseReason.choices)
    started_at = models.DateTimeField(_("từ"))
    ended_at = models.DateTimeField(_("đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("thời gian tạm dừng")
        verbose_name_plural = _("thời gian tạm dừng")
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.started_at:%d/%m/%Y}"


class DueAdjustment(models.Model):
    """Every change of the current due date, with its reason (the original due date is never changed)."""

    class Reason(models.TextChoices):
        RESUMED = "resumed", _("Tính lại sau thời gian tạm dừng")
        EXTENDED = "extended", _("Gia hạn (văn bản xin lỗi)")
        RECALCULATED = "recalculated", _("Tính lại do thay đổi lịch làm việc")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="due_adjustments")
    reason = models.CharField(_("lý do"), max_length=16, choices=Reason.choices)
    previous_due_at = models.DateTimeField(_("hạn cũ"), null=True)
    new_due_at = models.DateTimeField(_("hạn mới"), null=True)
    note = models.TextField(_("ghi chú"), blank=True)
    at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("điều chỉnh hạn trả")
        verbose_name_plural = _("điều chỉnh hạn trả")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.previous_due_at} → {self.new_due_at}"


class Consultation(models.Model):
    """A request for another agency's opinion (liên thông): its own budget; the lead keeps the deadline."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="consultations")
    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan phối hợp")
    )
    question = models.TextField(_("nội dung xin ý kiến"))
    budget_hours = models.DecimalField(_("thời hạn (giờ làm việc)"), max_digits=6, decimal_places=2)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("gửi lúc"))
    due_at = models.DateTimeField(_("hạn trả lời"), null=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    replied_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    reply = models.TextField(_("ý kiến"), blank=True)
    timeliness = models.CharField(_("kết quả"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("xin ý kiến phối hợp")
        verbose_name_plural = _("xin ý kiến phối hợp")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.dossier.code} → {self.agency.name}"


class DossierEvent(models.Model):
    """Append-only history. Never updated or deleted (enforced by database triggers, see migrations).

    Events of one dossier are numbered 1..n (`seq`) and chained by hash, so a changed or removed row is
    detectable by `motcua audit verify`.
    """

    # Indexed by the unique (dossier, seq) constraint, which leads with it.
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events", db_index=False)
    seq = models.PositiveIntegerField(_("số thứ tự"))
    action = models.CharField(_("thao tác"), max_length=32, choices=Action.choices)
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("người thực hiện"), max_length=255, blank=True)
    actor_role = models.CharField(_("vai trò"), max_length=16, blank=True)
    actor_unit = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24)
    from_step = models.CharField(max_length=50, blank=True)
    to_step = models.CharField(max_length=50, blank=True)
    national_status = models.PositiveSmallIntegerField()
    # Handover judgement of the giving step (early / on time / late), for the control sheet (Mẫu 06).
    step_timeliness = models.CharField(max_length=10, blank=True)
    payload = models.JSONField(default=dict)
    request_ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("sự kiện hồ sơ")
        ordering = ["dossier_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Sự kiện hồ sơ không được sửa."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Sự kiện hồ sơ không được xóa."))


class DossierSequence(models.Model):
    """The last dossier number given by a receiving unit on a day (dossier codes never repeat)."""

    unit_code = models.CharField(max_length=40)
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit_code", "day"], name="dossier_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.day:%d/%m/%Y}: {self.last_value}"


class OutboxMessage(models.Model):
    """Something the outside world must learn, written in the same transaction as the change.

    Delivery (integrations) claims pending rows in id order per dossier; `dossier_seq` is the event
    number that produced it, so a consumer can check per-dossier order.
    """

    class Topic(models.TextChoices):
        NATIONAL_DOSSIER = "national.dossier", _("Đồng bộ hồ sơ lên Cổng DVCQG")
        NATIONAL_PROGRESS = "national.progress", _("Đồng bộ tiến trình xử lý")
        APPLICANT_NOTICE = "notify.applicant", _("Thông báo cho người nộp")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        IN_FLIGHT = "in_flight", _("Đang gửi")
        DELIVERED = "delivered", _("Đã gửi")
        DEAD = "dead", _("Gửi lỗi, cần xử lý")

    # Neither foreign key has an index of its own: outbox_dossier_seq leads with the dossier, and nothing
    # looks messages up by event (events are never deleted, so the key's delete check never runs). With
    # ~17 messages per dossier these were the generator's and the commands' most written index entries.
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="outbox", db_index=False)
    dossier_seq = models.PositiveIntegerField()
    event = models.ForeignKey(DossierEvent, on_delete=models.PROTECT, related_name="outbox", db_index=False)
    topic = models.CharField(max_length=24, choices=Topic.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Delivery bookkeeping (motcua.integrations): which worker holds the row and until when (a killed
    # worker's rows are claimable again after the lease), the partner's answer code, and the sync lag
    # (created_at → acknowledged) kept per message for the operator's percentiles.
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    result_code = models.CharField(max_length=16, blank=True)
    lag_ms = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("tin nhắn chờ gửi (outbox)")
        verbose_name_plural = _("tin nhắn chờ gửi (outbox)")
        ordering = ["id"]
        indexes = [
            # Serves the worker's claim: pending rows in id order (partial index keeps it small).
            models.Index(
                fields=["topic", "id"],
                name="outbox_pending",
                condition=models.Q(status__in=["pending", "in_flight"]),
            ),
            models.Index(fields=["dossier", "dossier_seq"], name="outbox_dossier_seq"),
            # Lag percentiles over the last hour / day read delivered rows by acknowledgement time.
            models.Index(fields=["delivered_at"], name="outbox_delivered_at"),
            # Per-dossier order: "is there an earlier undelivered row of this dossier?" is one probe here.
            models.Index(
                fields=["dossier", "id"],
                name="outbox_undelivered",
                condition=models.Q(status__in=["pending", "in_flight", "dead"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.dossier_id}#{self.dossier_seq}"
