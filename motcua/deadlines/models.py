"""The administrator's calendar overlay: days off and make-up working days on top of the computed calendar.

Every entry names its source document (the government's yearly swap notice, a province's storm closure
decision…) and its scope: the whole country, one province, or one agency (and its units). One entry per
scope and date: a second entry with the other kind on the same scope and date is a contradiction and is
refused, with the existing entry named, instead of silently winning.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .computed import FIRST_DATE, LAST_DATE

NATIONAL_SCOPE = "national"


class CalendarEntry(models.Model):
    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")

    class Scope(models.TextChoices):
        NATIONAL = "national", _("Toàn quốc")
        PROVINCE = "province", _("Tỉnh, thành phố")
        AGENCY = "agency", _("Cơ quan, đơn vị")

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=255)
    source = models.CharField(
        _("văn bản căn cứ"),
        max_length=500,
        help_text=_("Số, ký hiệu và ngày của văn bản, ví dụ Công văn 12729/VPCP-KGVX ngày 25/12/2025"),
    )
    scope = models.CharField(_("phạm vi"), max_length=16, choices=Scope.choices, default=Scope.NATIONAL)
    province = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calendar_entries",
        verbose_name=_("tỉnh, thành phố"),
    )
    agency = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calendar_entries",
        verbose_name=_("cơ quan, đơn vị"),
    )
    # "national", "province:<id>" or "agency:<id>": one column so that "one entry per scope and date" is
    # a plain unique constraint on both databases (NULLs in a unique constraint are distinct everywhere).
    scope_key = models.CharField(max_length=40, editable=False, db_index=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("ngày trong lịch làm việc")
        verbose_name_plural = _("lịch làm việc: ngày nghỉ, ngày làm bù")
        ordering = ["-date", "scope_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key", "date"], name="deadlines_calendarentry_one_per_scope"
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope="national", province__isnull=True, agency__isnull=True)
                    | Q(scope="province", province__isnull=False, agency__isnull=True)
                    | Q(scope="agency", province__isnull=True, agency__isnull=False)
                ),
                name="deadlines_calendarentry_scope_target",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["day_off", "working_day"]), name="deadlines_calendarentry_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()} — {self.name} ({self.scope_label})"

    @property
    def scope_label(self) -> str:
        if self.scope == self.Scope.PROVINCE and self.province is not None:
            return str(self.province.full_name)
        if self.scope == self.Scope.AGENCY and self.agency is not None:
            return str(self.agency.name)
        return str(self.Scope.NATIONAL.label)

    def compute_scope_key(self) -> str:
        if self.scope == self.Scope.PROVINCE:
            return f"province:{self.province_id}"
        if self.scope == self.Scope.AGENCY:
            return f"agency:{self.agency_id}"
        return NATIONAL_SCOPE

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        if self.date and not FIRST_DATE <= self.date <= LAST_DATE:
            errors.setdefault("date", []).append(
                ValidationError(_("Ngày phải nằm trong khoảng 01/01/1900 – 31/12/2100."), code="out_of_range")
            )
        if self.scope == self.Scope.PROVINCE:
            if self.province is None:
                errors.setdefault("province", []).append(
                    ValidationError(_("Phạm vi tỉnh cần chọn một tỉnh, thành phố."), code="required")
                )
            elif not self.province.is_province:
                errors.setdefault("province", []).append(
                    ValidationError(_("Đơn vị được chọn không phải cấp tỉnh."), code="not_province")
                )
        if self.scope == self.Scope.AGENCY and self.agency_id is None:
            errors.setdefault("agency", []).append(
                ValidationError(_("Phạm vi cơ quan cần chọn một cơ quan, đơn vị."), code="required")
            )
        if self.scope != self.Scope.PROVINCE and self.province_id is not None:
            errors.setdefault("province", []).append(
                ValidationError(_("Chỉ chọn tỉnh khi phạm vi là tỉnh, thành phố."), code="not_allowed")
            )
        if self.scope != self.Scope.AGENCY and self.agency_id is not None:
            errors.setdefault("agency", []).append(
                ValidationError(_("Chỉ chọn cơ quan khi phạm vi là cơ quan, đơn vị."), code="not_allowed")
            )
        if errors:
            raise ValidationError(errors)
        self.check_contradiction()

    def check_contradiction(self) -> None:
        """Refuse a second entry for the same scope and date, naming the one already there."""
        if not self.date:
            return
        other = (
            CalendarEntry.objects.filter(scope_key=self.compute_scope_key(), date=self.date)
            .exclude(pk=self.pk)
            .first()
        )
        if other is None:
            return
        if other.kind != self.kind:
            message = _(
                "Mâu thuẫn với mục đã có: ngày %(date)s trong phạm vi %(scope)s đã được ghi là "
                "“%(kind)s” (%(name)s, theo %(source)s). Sửa hoặc xoá mục đó trước."
            )
        else:
            message = _(
                "Ngày %(date)s trong phạm vi %(scope)s đã có trong lịch (%(kind)s: %(name)s, theo "
                "%(source)s). Sửa mục đó thay vì thêm mục mới."
            )
        raise ValidationError(
            message,
            code="contradiction" if other.kind != self.kind else "duplicate",
            params={
                "date": f"{self.date:%d/%m/%Y}",
                "scope": other.scope_label,
                "kind": other.get_kind_display(),
                "name": other.name,
                "source": other.source,
            },
        )

    def save(self, *args, **kwargs):
        self.scope_key = self.compute_scope_key()
        super().save(*args, **kwargs)
