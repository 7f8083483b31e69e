"""The index as data: versioned definitions, targets, figures the system cannot see, official scores.

Points, thresholds and empty-denominator policies change with the portal's yearly formula sheet, without a
new decision (indicators.md §1), so they are rows an administrator edits, never constants in code. A
definition is a draft until published; a published definition is frozen and applies from its ``valid_from``
until a later published definition starts. Changing the index therefore means a new version carrying the
document that justifies it, and every past period keeps being scored with the version that applied then.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.indicators import scoring


class GroupCode(models.TextChoices):
    CKMB = "CKMB", _("Công khai, minh bạch")
    TDGQ = "TDGQ", _("Tiến độ, kết quả giải quyết")
    CLGQ = "CLGQ", _("Dịch vụ công trực tuyến")
    TTTT = "TTTT", _("Thanh toán trực tuyến")
    MDSH = "MDSH", _("Số hóa hồ sơ")
    MDHL = "MDHL", _("Mức độ hài lòng")


class ScoringKind(models.TextChoices):
    LINEAR = scoring.ScoringKind.LINEAR.value, _("Tuyến tính (P × tỷ lệ)")
    THRESHOLD = scoring.ScoringKind.THRESHOLD.value, _("Theo ngưỡng (P × min(1, tỷ lệ / ngưỡng))")


class EmptyPolicy(models.TextChoices):
    FULL = scoring.EmptyPolicy.FULL.value, _("0/0 được điểm tối đa")
    ZERO = scoring.EmptyPolicy.ZERO.value, _("0/0 không được điểm")
    FALLBACK = scoring.EmptyPolicy.FALLBACK.value, _("0/0 dùng mẫu số thay thế (tổng năm trước ÷ 12/4/1)")


class ItemSource(models.TextChoices):
    COMPUTED = scoring.Source.COMPUTED.value, _("Tính từ dữ liệu của hệ thống")
    INPUT = scoring.Source.INPUT.value, _("Số liệu đầu vào (nhập, tải lên hoặc lấy từ cấp quốc gia)")


class IndexDefinitionQuerySet(models.QuerySet["IndexDefinition"]):
    def published(self) -> IndexDefinitionQuerySet:
        return self.filter(status=IndexDefinition.Status.PUBLISHED)

    def in_force(self, on: dt.date) -> IndexDefinition | None:
        """The published definition that applies on ``on``: the latest one that had started by then."""
        return self.published().filter(valid_from__lte=on).order_by("-valid_from", "-version").first()


class IndexDefinition(models.Model):
    """One version of the whole index: its groups, items and bands."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")  # editable, never used for scoring
        PUBLISHED = "published", _("Đang áp dụng")  # frozen; applies from valid_from until the next one
        WITHDRAWN = "withdrawn", _("Đã hủy")  # published by mistake; kept for history, never applied

    version = models.PositiveIntegerField(_("phiên bản"), unique=True)
    name = models.CharField(_("tên"), max_length=255)
    valid_from = models.DateField(_("áp dụng từ ngày"), null=True, blank=True)
    justification = models.TextField(
        _("văn bản làm căn cứ"),
        blank=True,
        help_text=_("Số, ngày và trích yếu văn bản quy định thay đổi (bắt buộc khi công bố)."),
    )
    justification_url = models.URLField(_("đường dẫn văn bản"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sửa đổi từ phiên bản"),
    )
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người công bố"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = IndexDefinitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("bộ chỉ số (phiên bản)")
        verbose_name_plural = _("bộ chỉ số (các phiên bản)")
        ordering = ["-version"]
        constraints = [
            # Two published versions starting the same day would make "the one in force" ambiguous.
            models.UniqueConstraint(
                fields=["valid_from"],
                condition=models.Q(status="published"),
                name="indicators_one_published_definition_per_start",
            ),
        ]

    def __str__(self) -> str:
        return _("Phiên bản %(v)s — %(name)s (%(status)s)") % {
            "v": self.version,
            "name": self.name,
            "status": self.get_status_display(),
        }

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    def snapshot(self) -> scoring.Definition:
        """An immutable copy for the scorer: three queries, then no database access while scoring."""
        return scoring.Definition(
            version=self.version,
            valid_from=self.valid_from,
            justification=self.justification,
            groups=tuple(
                scoring.GroupDefinition(
                    code=g.code, title_vi=g.title_vi, title_en=g.title_en, max_points=g.max_points
                )
                for g in self.groups.order_by("order", "code")
            ),
            items=tuple(item.to_snapshot() for item in self.items.order_by("order", "number")),
            bands=tuple(
                scoring.Band(code=b.code, min_total=b.min_total, label_vi=b.label_vi, label_en=b.label_en)
                for b in self.bands.order_by("-min_total")
            ),
        )

    def publish(self, by=None) -> None:
        """Freeze this draft and make it apply from ``valid_from``; refuses an inconsistent definition."""
        if self.status != self.Status.DRAFT:
            raise ValidationError(_("Chỉ công bố được bản dự thảo; phiên bản %s đã công bố.") % self.version)
        problems: list[str] = []
        if self.valid_from is None:
            problems.append(str(_("Phải có ngày bắt đầu áp dụng.")))
        if not self.justification.strip():
            problems.append(str(_("Phải ghi văn bản làm căn cứ cho phiên bản này.")))
        snapshot = self.snapshot()
        if not snapshot.items:
            problems.append(str(_("Bộ chỉ số chưa có chỉ tiêu nào.")))
        problems.extend(snapshot.problems())
        if (
            self.valid_from
            and IndexDefinition.objects.published()
            .filter(valid_from=self.valid_from)
            .exclude(pk=self.pk)
            .exists()
        ):
            problems.append(
                str(_("Đã có phiên bản đang áp dụng từ ngày %s.") % self.valid_from.strftime("%d/%m/%Y"))
            )
        if problems:
            raise ValidationError(problems)
        self.status = self.Status.PUBLISHED
        self.published_at = timezone.now()
        self.published_by = by
        self.save(update_fields=["status", "published_at", "published_by"])

    def withdraw(self) -> None:
        """Stop applying a version published by mistake; it stays visible, with the periods it scored."""
        self.status = self.Status.WITHDRAWN
        self.save(update_fields=["status"])

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = (
                IndexDefinition.objects.filter(pk=self.pk).values("status", "version", "valid_from").first()
            )
            if (
                stored is not None
                and stored["status"] != self.Status.DRAFT
                and (stored["version"], stored["valid_from"]) != (self.version, self.valid_from)
            ):
                raise ValidationError(
                    _("Phiên bản %s đã công bố, không sửa được; hãy tạo phiên bản mới.") % stored["version"]
                )
        super().save(*args, **kwargs)

    def new_draft(self) -> IndexDefinition:
        """A draft copy (next version number) to edit; this version stays as it is, for history."""
        next_version = (IndexDefinition.objects.aggregate(m=models.Max("version"))["m"] or 0) + 1
        draft = IndexDefinition.objects.create(
            version=next_version,
            name=self.name,
            valid_from=None,
            justification="",
            based_on=self,
        )
        for group in self.groups.all():
            group.pk = None
            group.definition = draft
            group.save()
        for item in self.items.all():
            item.pk = None
            item.definition = draft
            item.save()
        for band in self.bands.all():
            band.pk = None
            band.definition = draft
            band.save()
        return draft


class FrozenDefinitionPart(models.Model):
    """A row that belongs to a definition and may only change while that definition is a draft."""

    class Meta:
        abstract = True

    def _check_editable(self) -> None:
        definition = IndexDefinition.objects.filter(pk=self.definition_id).first()  # type: ignore[attr-defined]
        if definition is not None and definition.is_frozen:
            raise ValidationError(
                _("Phiên bản %s đã công bố, không sửa được; hãy tạo phiên bản mới.") % definition.version
            )

    def save(self, *args, **kwargs):
        self._check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_editable()
        return super().delete(*args, **kwargs)


class IndexGroup(FrozenDefinitionPart):
    definition = models.ForeignKey(
        IndexDefinition, on_delete=models.CASCADE, related_name="groups", verbose_name=_("bộ chỉ số")
    )
    code = models.CharField(_("mã nhóm"), max_length=4, choices=GroupCode.choices)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    title_vi = models.CharField(_("tên nhóm"), max_length=255)
    title_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    max_points = models.DecimalField(
        _("điểm tối đa"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        verbose_name = _("nhóm chỉ số")
        verbose_name_plural = _("nhóm chỉ số")
        ordering = ["definition", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "code"], name="indicators_group_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title_vi}"


class IndexItem(FrozenDefinitionPart):
    definition = models.ForeignKey(
        IndexDefinition, on_delete=models.CASCADE, related_name="items", verbose_name=_("bộ chỉ số")
    )
    number = models.CharField(_("số hiệu"), max_length=8, help_text=_("Ví dụ 2.1"))
    group = models.CharField(_("nhóm"), max_length=4, choices=GroupCode.choices)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    title_vi = models.CharField(_("tên chỉ tiêu"), max_length=255)
    title_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    numerator_text = models.TextField(_("tử số"), blank=True)
    denominator_text = models.TextField(_("mẫu số"), blank=True)
    points = models.DecimalField(
        _("điểm tối đa"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    kind = models.CharField(_("cách tính"), max_length=10, choices=ScoringKind.choices)
    threshold_percent = models.DecimalField(
        _("ngưỡng (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
        help_text=_("Chỉ dùng khi tính theo ngưỡng, ví dụ 80"),
    )
    empty_policy = models.CharField(
        _("khi mẫu số bằng 0"), max_length=10, choices=EmptyPolicy.choices, default=EmptyPolicy.ZERO
    )
    decimals = models.PositiveSmallIntegerField(
        _("số chữ số thập phân"), default=2, validators=[MaxValueValidator(4)]
    )
    source = models.CharField(_("nguồn số liệu"), max_length=10, choices=ItemSource.choices)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["definition", "order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="indicators_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title_vi}"

    def clean(self) -> None:
        if self.kind == ScoringKind.THRESHOLD and self.threshold_percent is None:
            raise ValidationError({"threshold_percent": _("Chỉ tiêu tính theo ngưỡng phải có ngưỡng.")})
        if self.kind == ScoringKind.LINEAR and self.threshold_percent is not None:
            raise ValidationError({"threshold_percent": _("Chỉ tiêu tính tuyến tính không dùng ngưỡng.")})

    def to_snapshot(self) -> scoring.ItemDefinition:
        return scoring.ItemDefinition(
            number=self.number,
            group=self.group,
            title_vi=self.title_vi,
            title_en=self.title_en,
            points=self.points,
            kind=scoring.ScoringKind(self.kind),
            empty_policy=scoring.EmptyPolicy(self.empty_policy),
            source=scoring.Source(self.source),
            threshold=None if self.threshold_percent is None else Fraction(self.threshold_percent) / 100,
            decimals=self.decimals,
        )


class IndexBand(FrozenDefinitionPart):
    """A level of the total (≥ 90 xuất sắc, …, < 50 yếu): the lowest total that reaches it."""

    definition = models.ForeignKey(
        IndexDefinition, on_delete=models.CASCADE, related_name="bands", verbose_name=_("bộ chỉ số")
    )
    code = models.SlugField(_("mã"), max_length=20)
    min_total = models.DecimalField(_("từ tổng điểm"), max_digits=6, decimal_places=2)
    label_vi = models.CharField(_("xếp loại"), max_length=50)
    label_en = models.CharField(_("tên tiếng Anh"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("xếp loại")
        verbose_name_plural = _("xếp loại")
        ordering = ["definition", "-min_total"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "code"], name="indicators_band_unique"),
        ]

    def __str__(self) -> str:
        return f"≥ {self.min_total}: {self.label_vi}"


class IndexTarget(models.Model):
    """A national target drawn beside the figures (indicators.md §3). Administrators add and change them."""

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", _("Đạt từ (≥)")
        ABOVE = "gt", _("Trên (>)")

    title_vi = models.CharField(_("mục tiêu"), max_length=255)
    title_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    applies_to = models.CharField(
        _("áp dụng cho"),
        max_length=8,
        blank=True,
        help_text=_(
            "Số hiệu chỉ tiêu (ví dụ 2.1: so với tỷ lệ của chỉ tiêu) hoặc mã nhóm (ví dụ MDHL: so với tỷ lệ "
            "điểm của nhóm); để trống nếu bộ chỉ số không đo được mục tiêu này."
        ),
    )
    comparison = models.CharField(_("so sánh"), max_length=3, choices=Comparison.choices)
    value_percent = models.DecimalField(
        _("giá trị (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    due_year = models.PositiveSmallIntegerField(_("năm đạt"), null=True, blank=True)
    source = models.CharField(_("văn bản giao mục tiêu"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang theo dõi"), default=True)

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        ordering = ["due_year", "applies_to", "title_vi"]

    def __str__(self) -> str:
        sign = "≥" if self.comparison == self.Comparison.AT_LEAST else ">"
        year = f" ({self.due_year})" if self.due_year else ""
        return f"{self.title_vi}: {sign} {self.value_percent}%{year}"

    def is_met(self, percent: Decimal) -> bool:
        if self.comparison == self.Comparison.ABOVE:
            return percent > self.value_percent
        return percent >= self.value_percent


class InputSource(models.TextChoices):
    IMPORTED = "imported", _("Nhập từ tệp")
    FETCHED = "fetched", _("Lấy từ hệ thống quốc gia")
    ENTERED = "entered", _("Nhập tay")


NATIONAL_COUNTS_ITEM = scoring.NATIONAL_COUNTS_ITEM


class IndexInput(models.Model):
    """A figure the system cannot see by itself (1.1–1.3, 1.4's national counts, 5.1–5.2), with its origin.

    For 1.4 ``denominator`` is the national reporting system's count, ``portal_count`` the portal's, and
    ``previous_year_total`` last year's reporting total (the fallback when both counts are 0); ``numerator``
    (dossiers synchronised) may be left empty because the system counts it from its own sync records.
    """

    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan, đơn vị")
    )
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    item_number = models.CharField(_("chỉ tiêu"), max_length=8)
    numerator = models.PositiveBigIntegerField(_("tử số"), null=True, blank=True)
    denominator = models.PositiveBigIntegerField(_("mẫu số"), null=True, blank=True)
    portal_count = models.PositiveBigIntegerField(
        _("số hồ sơ trên Cổng DVCQG"), null=True, blank=True, help_text=_("Chỉ dùng cho chỉ tiêu 1.4")
    )
    previous_year_total = models.PositiveBigIntegerField(
        _("tổng số hồ sơ năm trước trên hệ thống báo cáo"),
        null=True,
        blank=True,
        help_text=_("Chỉ dùng cho chỉ tiêu 1.4 khi cả hai mẫu số bằng 0"),
    )
    source = models.CharField(_("nguồn"), max_length=10, choices=InputSource.choices)
    source_note = models.CharField(
        _("ghi chú nguồn"), max_length=500, blank=True, help_text=_("Tệp, văn bản hoặc đường dẫn lấy số liệu")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    entered_at = models.DateTimeField(_("nhập lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("số liệu đầu vào của chỉ số")
        verbose_name_plural = _("số liệu đầu vào của chỉ số")
        ordering = ["-period_start", "agency", "item_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "period_start", "period_end", "item_number"], name="indicators_input_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")), name="indicators_input_period"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.item_number} — {self.agency_id} — {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"
        )

    def clean(self) -> None:
        problems = input_problems(
            item_number=self.item_number,
            period_start=self.period_start,
            period_end=self.period_end,
            numerator=self.numerator,
            denominator=self.denominator,
            portal_count=self.portal_count,
            previous_year_total=self.previous_year_total,
        )
        if problems:
            raise ValidationError(problems)

    def to_figure(
        self, synchronised: int | None = None, period: scoring.PeriodKind | None = None
    ) -> scoring.Figure:
        """The scorer's figure. For 1.4 pass the system's own synchronised count (else the imported one)."""
        origin = str(self.get_source_display())
        if self.source_note:
            origin = f"{origin}: {self.source_note}"
        if self.item_number == NATIONAL_COUNTS_ITEM:
            numerator = synchronised if synchronised is not None else self.numerator
            fallback = (
                scoring.fallback_denominator(self.previous_year_total, period)
                if self.previous_year_total is not None and period is not None
                else None
            )
            return scoring.Figure(
                numerator=numerator or 0,
                denominator=self.denominator or 0,
                alternative_denominators=(self.portal_count or 0,),
                fallback_denominator=fallback,
                source=origin,
            )
        return scoring.Figure(numerator=self.numerator or 0, denominator=self.denominator or 0, source=origin)


def input_figures(
    agency, period_start: dt.date, period_end: dt.date, synchronised: int | None = None
) -> dict[str, scoring.Figure]:
    """The scorer's figures for the inputs stored for exactly this unit and period (item → Figure).

    ``synchronised`` is the system's own count of dossiers synchronised to the portal (1.4's numerator).
    Items with no stored input are simply absent: the caller decides whether that is an error.
    """
    period = scoring.period_kind(period_start, period_end)
    rows = IndexInput.objects.filter(agency=agency, period_start=period_start, period_end=period_end)
    return {row.item_number: row.to_figure(synchronised=synchronised, period=period) for row in rows}


def input_items(on: dt.date) -> set[str] | None:
    """Numbers of the items fed by inputs in the definition in force on ``on`` (None: no definition)."""
    definition = IndexDefinition.objects.in_force(on)
    if definition is None:
        return None
    return set(definition.items.filter(source=ItemSource.INPUT).values_list("number", flat=True))


def input_problems(
    *,
    item_number: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    numerator: int | None,
    denominator: int | None,
    portal_count: int | None = None,
    previous_year_total: int | None = None,
    allowed_items: set[str] | None = None,
) -> dict[str, str]:
    """Field → Vietnamese reason, for the admin form and the importer alike."""
    problems: dict[str, str] = {}
    if period_start and period_end and period_start > period_end:
        problems["period_end"] = str(_("Ngày kết thúc kỳ phải sau hoặc bằng ngày bắt đầu."))
    if period_start and allowed_items is None:
        allowed_items = input_items(period_start)
        if allowed_items is None:
            problems["period_start"] = str(
                _("Chưa có bộ chỉ số nào áp dụng vào ngày %s.") % period_start.strftime("%d/%m/%Y")
            )
            return problems
    if allowed_items is not None and item_number not in allowed_items:
        problems["item_number"] = str(
            _("Chỉ tiêu '%(n)s' không phải là chỉ tiêu lấy số liệu đầu vào (các chỉ tiêu được nhập: %(ok)s).")
            % {"n": item_number, "ok": ", ".join(sorted(allowed_items, key=scoring.natural_key))}
        )
        return problems
    if item_number == NATIONAL_COUNTS_ITEM:
        if denominator is None or portal_count is None:
            problems["denominator"] = str(
                _("Chỉ tiêu 1.4 cần số hồ sơ trên hệ thống báo cáo quốc gia và số hồ sơ trên Cổng DVCQG.")
            )
        elif numerator is not None and 0 < max(denominator, portal_count) < numerator:
            problems["numerator"] = str(
                _("Số hồ sơ đồng bộ (%(n)s) lớn hơn số hồ sơ ở cấp quốc gia (%(d)s).")
                % {"n": numerator, "d": max(denominator, portal_count)}
            )
        return problems
    if portal_count is not None or previous_year_total is not None:
        problems["portal_count"] = str(_("Số hồ sơ trên Cổng và tổng năm trước chỉ dùng cho chỉ tiêu 1.4."))
    if numerator is None:
        problems["numerator"] = str(_("Thiếu tử số."))
    if denominator is None:
        problems["denominator"] = str(_("Thiếu mẫu số."))
    if numerator is not None and denominator is not None:
        if denominator == 0 and numerator != 0:
            problems["numerator"] = str(_("Tử số phải bằng 0 khi mẫu số bằng 0."))
        elif numerator > denominator:
            problems["numerator"] = str(
                _("Tử số (%(n)s) lớn hơn mẫu số (%(d)s).") % {"n": numerator, "d": denominator}
            )
    return problems


class OfficialScore(models.Model):
    """The score the national portal published for a unit and period, shown beside our own computation."""

    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan, đơn vị")
    )
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    total = models.DecimalField(
        _("tổng điểm"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    group_scores = models.JSONField(
        _("điểm theo nhóm"), default=dict, blank=True, help_text=_('Ví dụ {"CKMB": "16.20", "TDGQ": "17.40"}')
    )
    rank = models.PositiveIntegerField(_("thứ hạng"), null=True, blank=True)
    published_on = models.DateField(_("ngày công bố"), null=True, blank=True)
    source_note = models.CharField(_("ghi chú nguồn"), max_length=500, blank=True)
    source = models.CharField(
        _("nguồn"), max_length=10, choices=InputSource.choices, default=InputSource.IMPORTED
    )
    imported_at = models.DateTimeField(_("nhập lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("điểm công bố chính thức")
        verbose_name_plural = _("điểm công bố chính thức")
        ordering = ["-period_start", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "period_start", "period_end"], name="indicators_official_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="indicators_official_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}: {self.total}"


# --- The aggregate layer (facts and counters maintained with the dossier events) --------------------------


class DossierFact(models.Model):
    """What one dossier contributes to the index and Biểu 06, as last counted (see ``facts.Fact``).

    Kept so that a change can be counted as "new contribution − old contribution" without rereading the
    dossier's past, and so that drill-down lists and the open dossiers' on-time check (2.1 at a cutoff) read
    one indexed table. Rebuilt from the dossiers by ``motcua index rebuild``; never edited by hand.
    """

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+", db_index=False)
    procedure = models.ForeignKey(
        "catalogue.Procedure", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField(_("ngày tiếp nhận (hoặc nộp)"))
    status = models.CharField(_("đúng hạn (2.1)"), max_length=8)
    reason = models.CharField(_("căn cứ"), max_length=20)
    end_at = models.DateTimeField(_("kết thúc xử lý"), null=True)
    judged_due = models.DateTimeField(_("hạn dùng để đánh giá"), null=True)
    online = models.BooleanField(default=False)
    online_scored = models.BooleanField(default=False)
    doc_result = models.BooleanField(default=False)
    e_result = models.BooleanField(default=False)
    fee_due = models.BooleanField(default=False)
    paid_online = models.BooleanField(default=False)
    digitised = models.BooleanField(default=False)
    reused = models.BooleanField(default=False)
    national_store = models.BooleanField(default=False)
    population = models.BooleanField(default=False)
    synchronised = models.BooleanField(default=False)
    received_day = models.DateField(null=True)
    finished_day = models.DateField(null=True)
    b06_class = models.CharField(max_length=8, blank=True)
    overdue_from = models.DateField(null=True)

    class Meta:
        verbose_name = _("số liệu chỉ số của hồ sơ")
        verbose_name_plural = _("số liệu chỉ số của hồ sơ")
        indexes = [
            models.Index(fields=["agency", "day"], name="ind_fact_agency_day"),
            # 2.1 at a cutoff: the open dossiers of a unit's period, by due date.
            models.Index(
                fields=["agency", "day", "judged_due"],
                name="ind_fact_open",
                condition=models.Q(status="open"),
            ),
            models.Index(fields=["agency", "received_day"], name="ind_fact_received"),
            models.Index(fields=["agency", "finished_day"], name="ind_fact_finished"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.day:%d/%m/%Y} {self.status}"


class IndexCounter(models.Model):
    """Counters per unit (competent agency) × day × procedure, and the same per month and year (``grain``).

    Maintained in the transaction of every dossier event (``aggregates.on_event``) by adding the change in
    the dossier's contribution; the dashboards, the API and Biểu 06 read only these rows (and, for dossiers
    still open, the indexed ``DossierFact`` rows). What each column counts: ``facts.COLUMNS``.
    """

    class Grain(models.TextChoices):
        DAY = "d", _("Ngày")
        MONTH = "m", _("Tháng")  # ``day`` is the first day of the month
        YEAR = "y", _("Năm")  # ``day`` is 1 January

    grain = models.CharField(max_length=1, choices=Grain.choices)
    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    procedure = models.ForeignKey(
        "catalogue.Procedure", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    dossiers = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    online_scored = models.IntegerField(default=0)
    doc_result = models.IntegerField(default=0)
    e_result = models.IntegerField(default=0)
    fee_due = models.IntegerField(default=0)
    paid_online = models.IntegerField(default=0)
    digitised = models.IntegerField(default=0)
    reused = models.IntegerField(default=0)
    national_store = models.IntegerField(default=0)
    population = models.IntegerField(default=0)
    synchronised = models.IntegerField(default=0)
    b06_received_online = models.IntegerField(default=0)
    b06_received_offline = models.IntegerField(default=0)
    b06_early = models.IntegerField(default=0)
    b06_on_time = models.IntegerField(default=0)
    b06_late = models.IntegerField(default=0)
    b06_overdue_from = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("bộ đếm chỉ số")
        verbose_name_plural = _("bộ đếm chỉ số")
        constraints = [
            # Also the index every read uses: grain, then the unit's agencies, then the period's days.
            models.UniqueConstraint(
                fields=["grain", "agency", "day", "procedure"], name="indicators_counter_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.agency_id} {self.day:%d/%m/%Y} {self.procedure_id}"


class SyncCheckpoint(models.Model):
    """How far the index has looked at settled ``national.dossier`` outbox rows (1.4's "synchronised").

    Every row with an id below ``below_id`` was delivered or given up when last checked, so only rows from
    there on can still turn delivered; ``aggregates.catch_up_deliveries`` recounts their dossiers.
    """

    topic = models.CharField(max_length=24, unique=True)
    below_id = models.BigIntegerField(default=0)
    checked_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("mốc kiểm tra đồng bộ")
        verbose_name_plural = _("mốc kiểm tra đồng bộ")

    def __str__(self) -> str:
        return f"{self.topic} < {self.below_id}"
