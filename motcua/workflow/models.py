"""Process definitions (quy trình nội bộ), versioned like procedures: draft → published → retired."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .definition import Process, ProcessError, parse_process


class ProcessDefinition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        PUBLISHED = "published", _("Đã ban hành")
        RETIRED = "retired", _("Hết hiệu lực")

    code = models.CharField(_("mã quy trình"), max_length=100)
    number = models.PositiveIntegerField(_("phiên bản"), default=1)
    name = models.CharField(_("tên quy trình"), max_length=500)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Which dossiers it applies to: a procedure and/or an agency; both empty = the fallback for everything.
    procedure = models.ForeignKey(
        "catalogue.Procedure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="processes",
        verbose_name=_("thủ tục"),
    )
    agency = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="processes",
        verbose_name=_("cơ quan"),
    )
    spec = models.JSONField(_("định nghĩa"))
    published_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("quy trình nội bộ")
        verbose_name_plural = _("quy trình nội bộ")
        ordering = ["code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="workflow_process_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(status="published"), name="workflow_one_published_process"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.number}, {self.get_status_display()})"

    def save(self, *args, **kwargs):
        if self.pk and self.status != self.Status.DRAFT:
            stored = ProcessDefinition.objects.filter(pk=self.pk).values_list("spec", "status").first()
            if stored and stored[1] != self.Status.DRAFT and stored[0] != self.spec:
                raise ValidationError(_("Quy trình đã ban hành không được sửa; hãy tạo phiên bản mới."))
        super().save(*args, **kwargs)

    def process(self) -> Process:
        """The validated, immutable definition (cached per instance)."""
        cached = getattr(self, "_process", None)
        if cached is None:
            cached = parse_process(self.spec)
            self._process = cached
        return cached

    def clean(self) -> None:
        try:
            parse_process(self.spec)
        except ProcessError as exc:
            raise ValidationError({"spec": exc.problems}) from None


def publish(definition: ProcessDefinition, *, procedure_budget_hours: Decimal | None = None) -> list[str]:
    """Validate and publish; the previously published version of the same code is retired.

    Returns the warnings (e.g. step budgets exceeding the procedure's duration); raises ProcessError.
    """
    process = parse_process(definition.spec, procedure_budget_hours=procedure_budget_hours)
    with transaction.atomic():
        ProcessDefinition.objects.filter(
            code=definition.code, status=ProcessDefinition.Status.PUBLISHED
        ).exclude(pk=definition.pk).update(status=ProcessDefinition.Status.RETIRED)
        definition.status = ProcessDefinition.Status.PUBLISHED
        definition.published_at = timezone.now()
        definition.save()
    return list(process.warnings)


def resolve_process(procedure_id: int | None, agency_ids: list[int]) -> ProcessDefinition:
    """The published process for a dossier: procedure+agency, then procedure, then agency, then default.

    `agency_ids` is the competent agency and its ancestors, nearest first.
    """
    published = ProcessDefinition.objects.filter(status=ProcessDefinition.Status.PUBLISHED)
    candidates = list(
        published.filter(models.Q(procedure_id=procedure_id) | models.Q(procedure__isnull=True))
    )

    def rank(d: ProcessDefinition) -> tuple[int, int]:
        agency_rank = agency_ids.index(d.agency_id) if d.agency_id in agency_ids else len(agency_ids) + 1
        if d.agency_id is not None and d.agency_id not in agency_ids:
            return (99, 99)
        return (0 if d.procedure_id == procedure_id and procedure_id is not None else 1, agency_rank)

    ranked = sorted((c for c in candidates if rank(c)[0] < 99), key=rank)
    if not ranked:
        raise ProcessDefinition.DoesNotExist("Chưa có quy trình nội bộ nào được ban hành.")
    return ranked[0]
