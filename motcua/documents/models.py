"""Per-agency overrides of the official forms' templates, edited by an administrator in the admin.

A form is rendered from the most specific *active* override: the issuing agency's own, else the nearest
ancestor's, else the default override (no agency), else the built-in file template shipped with the code.
An override is test-rendered before it is saved, so a broken template never reaches a counter.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class FormCode(models.TextChoices):
    """The official forms of Circular 03/2025/TT-VPCP, Appendix I (rules.md §5)."""

    RECEIPT = "01", _("Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    SUPPLEMENT = "02", _("Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "03", _("Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ")
    APOLOGY = "04", _("Mẫu 04 — Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết")
    STOP = "05", _("Mẫu 05 — Thông báo dừng giải quyết hồ sơ")
    CONTROL_SHEET = "06", _("Mẫu 06 — Phiếu kiểm soát quá trình giải quyết hồ sơ")
    TRACKING_BOOK = "07", _("Mẫu 07 — Sổ theo dõi hồ sơ")


class FormTemplate(models.Model):
    form = models.CharField(_("biểu mẫu"), max_length=2, choices=FormCode.choices)
    agency = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan áp dụng"),
        help_text=_(
            "Để trống: mẫu mặc định cho mọi cơ quan. Áp dụng cho cơ quan này và các đơn vị cấp dưới."
        ),
    )
    html = models.TextField(
        _("mẫu HTML"),
        blank=True,
        help_text=_(
            "Mẫu Django. Để trống để giữ mẫu HTML có sẵn và chỉ thay CSS. Có thể kế thừa mẫu có sẵn: "
            '{% extends "documents/forms/mau-01.html" %} rồi ghi đè từng khối (block).'
        ),
    )
    css = models.TextField(_("CSS bổ sung"), blank=True, help_text=_("Áp dụng sau CSS có sẵn."))
    active = models.BooleanField(_("đang áp dụng"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người cập nhật"),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mẫu biểu mẫu theo cơ quan")
        verbose_name_plural = _("mẫu biểu mẫu theo cơ quan")
        ordering = ["form", "agency__code"]
        constraints = [
            # One active override per form and agency, and one active default per form: the choice is
            # never ambiguous. (NULL agencies are distinct in a unique index, hence the second constraint.)
            models.UniqueConstraint(
                fields=["form", "agency"],
                condition=models.Q(active=True, agency__isnull=False),
                name="documents_one_active_template_per_agency",
            ),
            models.UniqueConstraint(
                fields=["form"],
                condition=models.Q(active=True, agency__isnull=True),
                name="documents_one_active_default_template",
            ),
        ]

    def __str__(self) -> str:
        where = self.agency.name if self.agency is not None else _("mặc định")
        return f"{self.get_form_display()} — {where}"

    def clean(self) -> None:
        if not (self.html or "").strip() and not (self.css or "").strip():
            raise ValidationError(_("Cần nhập mẫu HTML hoặc CSS bổ sung."))
        if self.active and self.form:
            clash = FormTemplate.objects.filter(form=self.form, active=True)
            if self.agency_id is None:
                clash = clash.filter(agency__isnull=True)
            else:
                clash = clash.filter(agency_id=self.agency_id)
            if self.pk:
                clash = clash.exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError(
                    _(
                        "Đã có một mẫu đang áp dụng cho biểu mẫu này và cơ quan này; "
                        "hãy sửa mẫu đó hoặc tắt nó."
                    )
                )
        if self.form:
            from .rendering import TemplateCheckError, check_override

            try:
                check_override(self.form, self.html, self.css)
            except TemplateCheckError as exc:
                raise ValidationError({exc.field: exc.message}) from None
