"""The organisation directory: administrative units, agencies, reception points, staff roles.

Agencies and units merge and get renamed (the 2025 reorganisation removed the district level), so each
carries validity dates and a successor link instead of being edited in place or deleted.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.text import fold
from motcua.deadlines.office_hours import OfficeHoursError, parse_office_hours

from .validity import ValidityQuerySet, current_successor, is_valid_on

# QCVN 102:2016 — V1V2V3.Z1Z2.Y1Y2.MX1X2, lowest level on the left, level-1 group last ("H56" a province,
# "G15" a ministry). Example: 000.00.00.H56.
AGENCY_CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
# Decision 20/2020/QĐ-TTg — up to 35 characters of 0-9A-Z in dot-separated groups, level-1 group first.
ELECTRONIC_ID_RE = re.compile(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,8})*$")


def validate_agency_code(value: str) -> None:
    if not AGENCY_CODE_RE.match(value or ""):
        raise ValidationError(
            _("Mã cơ quan '%(value)s' không đúng dạng QCVN 102 (ví dụ 000.00.00.H56)."),
            code="invalid_agency_code",
            params={"value": value},
        )


def validate_electronic_id(value: str) -> None:
    if not value or len(value) > 35 or not ELECTRONIC_ID_RE.match(value):
        raise ValidationError(
            _("Mã định danh điện tử '%(value)s' không đúng dạng Quyết định 20/2020/QĐ-TTg (ví dụ H56.14)."),
            code="invalid_electronic_id",
            params={"value": value},
        )


def validate_office_hours(value: str) -> None:
    try:
        parse_office_hours(value)
    except OfficeHoursError as exc:
        raise ValidationError(
            _("Giờ làm việc không hợp lệ: %(reason)s"), code="invalid_office_hours", params={"reason": exc}
        ) from None


class ValidityMixin:
    """Validity and succession shared by units and agencies (conventions in ``org/validity.py``)."""

    valid_from: models.DateField
    valid_to: models.DateField

    def is_valid_on(self, at=None) -> bool:
        return is_valid_on(self, at)  # type: ignore[arg-type]

    def current(self, at=None):
        """This unit, or the successor that carries it on at ``at`` (today by default)."""
        return current_successor(self, at)  # type: ignore[type-var]

    def clean_validity(self) -> None:
        errors = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("Ngày hết hiệu lực phải sau hoặc bằng ngày bắt đầu hiệu lực.")
        successor_id = getattr(self, "successor_id", None)
        if successor_id is not None and successor_id == getattr(self, "pk", None):
            errors["successor"] = _("Không thể chọn chính nó làm đơn vị kế thừa.")
        if errors:
            raise ValidationError(errors)


class AdministrativeUnit(ValidityMixin, models.Model):
    """A province (2-digit code) or a commune, ward or special zone (5-digit code), Decision 19/2025."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh")
        CITY = "city", _("Thành phố trực thuộc trung ương")
        COMMUNE = "commune", _("Xã")
        WARD = "ward", _("Phường")
        SPECIAL_ZONE = "special_zone", _("Đặc khu")

    code = models.CharField(_("mã"), max_length=5, unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=200)
    full_name = models.CharField(_("tên đầy đủ"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    province = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name=_("tỉnh"),
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị kế thừa"),
    )
    search_text = models.CharField(max_length=500, editable=False, db_index=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.full_name}"

    def clean(self) -> None:
        if not re.fullmatch(r"\d{2}|\d{5}", self.code or ""):
            raise ValidationError({"code": _("Mã tỉnh gồm 2 chữ số, mã xã gồm 5 chữ số.")})
        if len(self.code) == 5 and self.province_id is None:
            raise ValidationError({"province": _("Đơn vị cấp xã phải thuộc một tỉnh.")})
        if len(self.code) == 2 and self.province_id is not None:
            raise ValidationError({"province": _("Đơn vị cấp tỉnh không thuộc tỉnh nào.")})
        self.clean_validity()

    def compute_search_text(self) -> str:
        # Also called by the bulk importer, which bypasses save().
        return fold(f"{self.code} {self.full_name} {self.name_en}")

    def save(self, *args, **kwargs):
        self.search_text = self.compute_search_text()
        super().save(*args, **kwargs)

    @property
    def is_province(self) -> bool:
        return len(self.code) == 2


class Agency(ValidityMixin, models.Model):
    """An agency or one of its internal units (a division/phòng), with its two official codes."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Bộ, cơ quan ngang bộ")
        MINISTRY_UNIT = "ministry_unit", _("Đơn vị thuộc bộ")
        PROVINCE = "province", _("UBND tỉnh")
        DEPARTMENT = "department", _("Sở, ban, ngành cấp tỉnh")
        COMMUNE = "commune", _("UBND cấp xã")
        VERTICAL = "vertical", _("Cơ quan ngành dọc")
        DIVISION = "division", _("Phòng, ban thuộc cơ quan")

    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("cấp trên"),
    )
    admin_unit = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("đơn vị hành chính"),
    )
    code = models.CharField(
        _("mã QCVN 102"),
        max_length=20,
        unique=True,
        validators=[validate_agency_code],
        help_text=_("Ví dụ 000.00.00.H56"),
    )
    electronic_id = models.CharField(
        _("mã định danh điện tử"),
        max_length=35,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_electronic_id],
        help_text=_("Quyết định 20/2020/QĐ-TTg, ví dụ H56.14"),
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    office_hours = models.CharField(
        _("giờ làm việc"),
        max_length=100,
        blank=True,
        validators=[validate_office_hours],
        help_text=_("Để trống để dùng giờ của cấp trên hoặc mặc định 08:00-12:00,13:00-17:00"),
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan kế thừa"),
    )
    search_text = models.CharField(max_length=500, editable=False, db_index=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def compute_search_text(self) -> str:
        return fold(f"{self.code} {self.electronic_id or ''} {self.name} {self.short_name}")

    def save(self, *args, **kwargs):
        # Saved from scripts as well as forms: an empty identifier must be NULL, or the unique index would
        # allow only one agency without one.
        self.electronic_id = self.electronic_id or None
        self.search_text = self.compute_search_text()
        super().save(*args, **kwargs)

    def effective_office_hours(self) -> str:
        """The first office hours set on this unit or an ancestor, else the configured default."""
        node: Agency | None = self
        while node is not None:
            if node.office_hours:
                return node.office_hours
            node = node.parent
        return settings.MOTCUA_DEFAULT_OFFICE_HOURS

    def ancestors_and_self(self) -> list[Agency]:
        chain: list[Agency] = []
        node: Agency | None = self
        while node is not None and len(chain) < 20:  # guard against an accidental cycle in admin edits
            chain.append(node)
            node = node.parent
        return chain

    def clean(self) -> None:
        if self.parent_id is not None and self.pk is not None:
            node = self.parent
            for _depth in range(50):
                if node is None:
                    break
                if node.pk == self.pk:
                    raise ValidationError(
                        {
                            "parent": _(
                                "Một cơ quan không thể là cấp trên của chính nó (trực tiếp hay gián tiếp)."
                            )
                        }
                    )
                node = node.parent
        if self.kind == self.Kind.DIVISION and self.parent_id is None:
            raise ValidationError({"parent": _("Phòng, ban phải thuộc một cơ quan.")})
        self.clean_validity()


class ReceptionPoint(models.Model):
    """Where dossiers are received and results returned (Bộ phận Một cửa)."""

    class Kind(models.TextChoices):
        PROVINCIAL_CENTRE = "provincial_centre", _("Trung tâm Phục vụ hành chính công tỉnh")
        BRANCH = "branch", _("Chi nhánh Trung tâm Phục vụ hành chính công")
        COMMUNE_CENTRE = "commune_centre", _("Trung tâm Phục vụ hành chính công cấp xã")
        MINISTRY_UNIT = "ministry_unit", _("Bộ phận tiếp nhận và trả kết quả của bộ")

    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=24, choices=Kind.choices)
    # The unit whose code prefixes dossier codes received here (<receiving unit code>-YYMMDD-NNNN).
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="reception_points", verbose_name=_("đơn vị quản lý")
    )
    admin_unit = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("đơn vị hành chính"),
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    office_hours = models.CharField(
        _("giờ làm việc"),
        max_length=100,
        blank=True,
        validators=[validate_office_hours],
        help_text=_("Để trống để dùng giờ của đơn vị quản lý"),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("bộ phận tiếp nhận và trả kết quả")
        verbose_name_plural = _("bộ phận tiếp nhận và trả kết quả")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        return self.agency.code

    def effective_office_hours(self) -> str:
        return self.office_hours or self.agency.effective_office_hours()


class Role(models.TextChoices):
    """Staff roles (rules.md §2). One person may hold several roles in several units."""

    ONE_STOP = "one_stop", _("Cán bộ tiếp nhận (Một cửa)")
    SPECIALIST = "specialist", _("Chuyên viên thụ lý")
    HEAD = "head", _("Lãnh đạo phòng")
    LEADER = "leader", _("Lãnh đạo cơ quan")
    CLERK = "clerk", _("Văn thư")
    SUPERVISOR = "supervisor", _("Giám sát (Văn phòng UBND)")
    ADMIN = "admin", _("Quản trị hệ thống")


class RoleAssignment(models.Model):
    """A role held by a staff member within an agency or unit (and, for one-stop staff, a counter)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles", verbose_name=_("cán bộ")
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("cơ quan, đơn vị")
    )
    reception_point = models.ForeignKey(
        ReceptionPoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("bộ phận một cửa"),
    )
    title = models.CharField(_("chức danh"), max_length=100, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân quyền cán bộ")
        verbose_name_plural = _("phân quyền cán bộ")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "agency"], name="org_roleassignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency.name}"

    def clean(self) -> None:
        if self.role == Role.ONE_STOP and self.reception_point_id is None:
            raise ValidationError(
                {"reception_point": _("Cán bộ một cửa phải gắn với một bộ phận tiếp nhận.")}
            )
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(
                {"valid_to": _("Ngày hết hiệu lực phải sau hoặc bằng ngày bắt đầu hiệu lực.")}
            )
