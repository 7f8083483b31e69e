"""The procedure catalogue (danh mục thủ tục hành chính), modelled on rules.md and the national records.

A procedure is a stable code; what it requires changes over time, so everything else lives on a
*version*: draft → published → retired. A published version is immutable and dossiers pin the version they
were received under, so a later change to the catalogue never rewrites an open dossier's rules.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.text import fold
from motcua.deadlines.units import DurationUnit

from .locking import LockedByVersionMixin, VersionLockedError, assert_version_editable

PROCEDURE_CODE_RE = re.compile(r"^\d\.\d{6}$")
RESULT_CODE_RE = re.compile(r"^KQ\.[GH]\d{2}\.\d{6}$")


def validate_procedure_code(value: str) -> None:
    if not PROCEDURE_CODE_RE.match(value or ""):
        raise ValidationError(
            _("Mã thủ tục '%(value)s' không đúng dạng (ví dụ 1.001193)."),
            code="invalid_procedure_code",
            params={"value": value},
        )


def validate_result_code(value: str) -> None:
    if value and not RESULT_CODE_RE.match(value):
        raise ValidationError(
            _("Mã kết quả '%(value)s' không đúng dạng (ví dụ KQ.G15.000126)."),
            code="invalid_result_code",
            params={"value": value},
        )


class Level(models.TextChoices):
    MINISTRY = "ministry", _("Cấp bộ")
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")
    OTHER = "other", _("Cơ quan khác")  # the national catalogue's fourth level (courts, sector bodies)


class Subject(models.TextChoices):
    """LoaiDoiTuong of the national contract: 1 citizen, 2 enterprise, 3 state agency, 4 other."""

    CITIZEN = "citizen", _("Công dân")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    AGENCY = "agency", _("Cơ quan nhà nước")
    ORGANISATION = "organisation", _("Tổ chức khác")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Dịch vụ bưu chính")


class Field(models.Model):
    """Lĩnh vực — the sector a procedure belongs to."""

    code = models.CharField(_("mã lĩnh vực"), max_length=50, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """Thủ tục hành chính: the stable identity (code) of a procedure across its versions."""

    code = models.CharField(_("mã thủ tục"), max_length=8, unique=True, validators=[validate_procedure_code])
    name = models.CharField(_("tên thủ tục"), max_length=1000)
    search_text = models.CharField(max_length=1100, editable=False, db_index=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.code} {self.name}")
        super().save(*args, **kwargs)

    def published_version(self) -> ProcedureVersion | None:
        return self.versions.filter(status=ProcedureVersion.Status.PUBLISHED).order_by("-number").first()


class ProcedureVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        PUBLISHED = "published", _("Đã công bố")
        RETIRED = "retired", _("Hết hiệu lực")

    class OnlineLevel(models.TextChoices):
        FULL = "full", _("Toàn trình")
        PARTIAL = "partial", _("Một phần")
        NONE = "none", _("Không cung cấp trực tuyến")

    class SupplementPolicy(models.TextChoices):
        PAUSE = "pause", _("Tạm dừng (giữ thời gian đã dùng)")
        RESTART = "restart", _("Tính lại từ đầu khi nhận đủ bổ sung")

    class ImportStatus(models.TextChoices):
        MANUAL = "manual", _("Nhập tay")
        OK = "ok", _("Nhập đầy đủ")
        PARTIAL = "partial", _("Nhập một phần")

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="versions", verbose_name=_("thủ tục")
    )
    number = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    name = models.CharField(_("tên thủ tục"), max_length=1000)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("lĩnh vực")
    )
    levels = models.JSONField(_("cấp thực hiện"), default=list, blank=True)  # list of Level values
    subjects = models.JSONField(_("đối tượng thực hiện"), default=list, blank=True)  # list of Subject values
    procedure_type = models.CharField(_("loại thủ tục"), max_length=255, blank=True)
    competent_agency_text = models.CharField(
        _("cơ quan có thẩm quyền (văn bản)"), max_length=1000, blank=True
    )
    competent_agency = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan có thẩm quyền"),
    )
    competent_agency_kind = models.CharField(_("loại cơ quan có thẩm quyền"), max_length=16, blank=True)
    coordinating_agencies_text = models.TextField(_("cơ quan phối hợp"), blank=True)
    announcing_decision = models.CharField(_("quyết định công bố"), max_length=255, blank=True)
    online_level = models.CharField(
        _("mức độ trực tuyến"), max_length=8, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    partial_online_reason = models.TextField(_("lý do chỉ cung cấp một phần"), blank=True)
    regardless_of_boundary = models.BooleanField(_("phi địa giới hành chính"), default=True)
    auto_receive_online = models.BooleanField(_("tự động tiếp nhận hồ sơ trực tuyến"), default=False)
    supplement_policy = models.CharField(
        _("cách tính thời hạn khi bổ sung"),
        max_length=8,
        choices=SupplementPolicy.choices,
        default=SupplementPolicy.PAUSE,
    )
    steps_text = models.TextField(_("trình tự thực hiện"), blank=True)
    conditions_text = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    valid_from = models.DateTimeField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateTimeField(_("hiệu lực đến"), null=True, blank=True)
    # Provenance of an imported record: what could not be understood stays visible to the administrator.
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    source_hash = models.CharField(max_length=64, blank=True, db_index=True)
    import_status = models.CharField(
        _("tình trạng nhập"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.MANUAL
    )
    unparsed = models.JSONField(_("nội dung chưa phân tích được"), default=dict, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="catalogue_version_unique"),
            # At most one published version per procedure: publishing retires the previous one.
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(status="published"),
                name="catalogue_one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    # Only versions.py changes status: it opens this door for the fields a transition may touch.
    _transition_fields: frozenset[str] = frozenset()

    def save(self, *args, **kwargs):
        assert_version_editable(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored is not None and stored != self.Status.DRAFT:
            raise VersionLockedError(
                _(
                    "Không thể xoá phiên bản %(version)s: chỉ xoá được dự thảo; phiên bản đã công bố "
                    "hoặc hết hiệu lực được giữ nguyên để các hồ sơ đã tiếp nhận tra cứu."
                ),
                params={"version": f"{self.procedure.code} v{self.number}"},
            )
        return super().delete(*args, **kwargs)


class LegalBasis(LockedByVersionMixin, models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="legal_bases")
    order = models.PositiveIntegerField(default=0)
    number = models.CharField(_("số hiệu"), max_length=100, blank=True)
    title = models.TextField(_("trích yếu"), blank=True)

    class Meta:
        verbose_name = _("căn cứ pháp lý")
        verbose_name_plural = _("căn cứ pháp lý")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.number or self.title[:80]


class ResultDocument(LockedByVersionMixin, models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="results")
    order = models.PositiveIntegerField(default=0)
    name = models.TextField(_("tên kết quả"))
    result_code = models.CharField(
        _("mã kết quả"), max_length=20, blank=True, validators=[validate_result_code]
    )
    # The code exactly as the source published it, even when it is not a valid result code
    # ("000.00.00.G04-KQ0174"): kept so that it can be corrected, never silently dropped.
    raw_code = models.CharField(_("mã kết quả (nguyên văn)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("kết quả giải quyết")
        verbose_name_plural = _("kết quả giải quyết")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name[:100]


class Component(LockedByVersionMixin, models.Model):
    """Thành phần hồ sơ — one document the applicant supplies."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
        COPY = "copy", _("Bản sao")
        ELECTRONIC = "electronic", _("Bản điện tử")

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveIntegerField(default=0)
    code = models.CharField(_("mã thành phần"), max_length=50, blank=True)
    name = models.TextField(_("tên giấy tờ"))
    form = models.CharField(_("hình thức"), max_length=16, choices=Form.choices, default=Form.ORIGINAL)
    original_count = models.PositiveIntegerField(_("số bản chính"), default=1)
    copy_count = models.PositiveIntegerField(_("số bản sao"), default=0)
    required = models.BooleanField(_("bắt buộc"), default=True)
    condition = models.TextField(_("trường hợp áp dụng"), blank=True)
    template_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=255, blank=True)
    replaceable_by_data = models.BooleanField(_("thay thế bằng dữ liệu"), default=False)
    replacing_result_code = models.CharField(
        _("mã kết quả thay thế"), max_length=20, blank=True, validators=[validate_result_code]
    )
    replacing_database = models.CharField(_("CSDL thay thế"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name[:100]


class ChannelOption(LockedByVersionMixin, models.Model):
    """How a procedure can be carried out through one channel: its own legal duration and fees."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(_("hình thức nộp"), max_length=10, choices=Channel.choices)
    duration_value = models.DecimalField(_("thời hạn"), max_digits=7, decimal_places=2, null=True, blank=True)
    duration_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=16, choices=DurationUnit.choices, blank=True
    )
    duration_text = models.TextField(_("thời hạn (văn bản gốc)"), blank=True)
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("cách thức thực hiện")
        verbose_name_plural = _("cách thức thực hiện")
        constraints = [
            models.UniqueConstraint(fields=["version", "channel"], name="catalogue_channel_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.duration_value or ''} {self.get_duration_unit_display()}"

    @property
    def has_structured_duration(self) -> bool:
        return bool(self.duration_unit) and (
            self.duration_value is not None
            or self.duration_unit in (DurationUnit.SAME_DAY, DurationUnit.NONE)
        )


class Fee(LockedByVersionMixin, models.Model):
    class Kind(models.TextChoices):
        CHARGED = "charged", _("Mức thu")
        # An amount written in the fee note or description (a reduced rate for a period, a rate per case):
        # shown to officers, never charged automatically.
        MENTIONED = "mentioned", _("Mức nêu trong ghi chú")

    channel_option = models.ForeignKey(ChannelOption, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.CHARGED)
    code = models.CharField(_("mã phí, lệ phí"), max_length=50, blank=True)
    name = models.CharField(_("tên phí, lệ phí"), max_length=500)
    amount = models.BigIntegerField(_("số tiền (đồng)"), null=True, blank=True)
    text = models.TextField(_("mô tả (văn bản gốc)"), blank=True)
    exemption_note = models.TextField(_("miễn, giảm"), blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount if self.amount is not None else self.text}"

    def version_id_from(self, values):
        channel_id = values.get("channel_option_id")
        return ChannelOption.objects.filter(pk=channel_id).values_list("version_id", flat=True).first()


class ImportRun(models.Model):
    """One run of ``motcua import-procedures``: what was read, with what options, and the totals."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Đang chạy")
        FINISHED = "finished", _("Hoàn tất")
        FAILED = "failed", _("Lỗi")

    source = models.CharField(_("nguồn"), max_length=1000)
    publish = models.BooleanField(_("công bố ngay"), default=False)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("bắt đầu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    total = models.PositiveIntegerField(_("tổng số bản ghi"), default=0)
    ok = models.PositiveIntegerField(_("nhập đầy đủ"), default=0)
    partial = models.PositiveIntegerField(_("nhập một phần"), default=0)
    rejected = models.PositiveIntegerField(_("bị từ chối"), default=0)
    unchanged = models.PositiveIntegerField(_("không thay đổi"), default=0)
    message = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("lần nhập danh mục")
        verbose_name_plural = _("các lần nhập danh mục")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%d/%m/%Y %H:%M} — {self.source}"

    def summary(self) -> str:
        return (
            f"{self.total} bản ghi: {self.ok} đầy đủ, {self.partial} một phần, "
            f"{self.unchanged} không thay đổi, {self.rejected} bị từ chối"
        )


class ImportRecord(models.Model):
    """What happened to one source record, with what could not be understood kept visible."""

    class Status(models.TextChoices):
        OK = "ok", _("Nhập đầy đủ")
        PARTIAL = "partial", _("Nhập một phần")
        REJECTED = "rejected", _("Bị từ chối")
        UNCHANGED = "unchanged", _("Không thay đổi")

    run = models.ForeignKey(
        ImportRun, on_delete=models.CASCADE, related_name="records", verbose_name=_("lần nhập")
    )
    source_file = models.CharField(_("tệp nguồn"), max_length=1000)
    line = models.PositiveIntegerField(_("dòng"), null=True, blank=True)
    record_index = models.PositiveIntegerField(_("bản ghi thứ"), null=True, blank=True)
    code = models.CharField(_("mã thủ tục"), max_length=40, blank=True, db_index=True)
    status = models.CharField(_("kết quả"), max_length=10, choices=Status.choices)
    action = models.CharField(_("thao tác"), max_length=40, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    unparsed_fields = models.JSONField(_("trường chưa phân tích được"), default=list, blank=True)
    unparsed = models.JSONField(_("nội dung chưa phân tích được"), default=dict, blank=True)
    warnings = models.JSONField(_("cảnh báo"), default=list, blank=True)
    source_hash = models.CharField(max_length=64, blank=True)
    version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_records",
        verbose_name=_("phiên bản"),
    )

    class Meta:
        verbose_name = _("bản ghi đã nhập")
        verbose_name_plural = _("các bản ghi đã nhập")
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return f"{self.code or '?'} ({self.get_status_display()}) — {self.where}"

    @property
    def where(self) -> str:
        if self.line:
            return f"{self.source_file}, dòng {self.line}"
        if self.record_index:
            return f"{self.source_file}, bản ghi {self.record_index}"
        return self.source_file
