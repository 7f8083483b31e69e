"""HTML forms for dossier actions, built from each command's parameter schema (``available_actions``).

The command's pydantic model stays the one definition of what an action takes: this module reads its JSON
schema, renders a field per property, and turns the posted form back into the dict the command parses —
so a new command or a new field shows up on the page without a template change. Fields whose values come
from the database (who to assign, which unit, which step) get a choice list built for the dossier at hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalogue.models import Component as CatalogueComponent
from motcua.dossiers.models import Dossier, ResultDelivery
from motcua.org.models import Agency
from motcua.org.scopes import users_with_role
from motcua.workflow.definition import END

from .templatetags.backoffice import full_name

# Vietnamese labels of the parameters the commands take (the schema titles are English identifiers).
LABELS: dict[str, Any] = {
    "note": _("Ghi chú, ý kiến"),
    "items": _("Nội dung"),
    "reasons": _("Lý do từ chối (mỗi dòng một lý do)"),
    "reason": _("Lý do"),
    "legal_basis": _("Căn cứ pháp lý"),
    "legal_ground": _("Căn cứ"),
    "handling_unit_id": _("Phòng chuyên môn thụ lý"),
    "assignee_id": _("Người nhận xử lý"),
    "to_step": _("Chuyển đến bước"),
    "results": _("Kết quả giải quyết"),
    "components": _("Giấy tờ bổ sung"),
    "method": _("Hình thức"),
    "reference": _("Mã giao dịch, số biên lai"),
    "agency_id": _("Cơ quan phối hợp"),
    "question": _("Nội dung xin ý kiến"),
    "budget_hours": _("Thời hạn trả lời (giờ làm việc)"),
    "consultation_id": _("Yêu cầu xin ý kiến"),
    "reply": _("Ý kiến trả lời"),
    "new_due_at": _("Hạn trả kết quả mới"),
    "recipient_name": _("Họ tên người nhận kết quả"),
    "proof": _("Giấy tờ, bằng chứng nhận kết quả"),
    # Sub-fields of lists of objects.
    "name": _("Tên"),
    "amount": _("Số tiền (đồng)"),
    "code": _("Mã"),
    "result_code": _("Mã kết quả"),
    "document_number": _("Số, ký hiệu"),
    "is_refusal": _("Là văn bản từ chối giải quyết"),
}
ITEMS_LABELS: dict[str, Any] = {
    "guide": _("Những giấy tờ cần bổ sung, hoàn thiện (mỗi dòng một mục)"),
    "request_supplement": _("Giấy tờ cần bổ sung, hoàn thiện (mỗi dòng một mục)"),
    "request_payment": _("Khoản phải nộp"),
}
ENUM_LABELS: dict[str, dict[str, Any]] = {
    "method": {
        **{value: label for value, label in ResultDelivery.choices},
        "counter": _("Nộp trực tiếp tại bộ phận một cửa"),
        "national_platform": _("Qua nền tảng thanh toán quốc gia"),
        "own_gateway": _("Qua cổng thanh toán của hệ thống"),
    },
}
RETURN_METHOD_LABELS = dict(ResultDelivery.choices)
BLANK_ROWS = 3  # rows offered for a list of objects (no script is needed to add one)


@dataclass
class Field:
    name: str
    label: Any
    kind: str  # text | textarea | lines | select | int | number | bool | datetime | rows | components | json
    required: bool = False
    choices: list[tuple[str, Any]] = field(default_factory=list)
    value: Any = ""
    help: Any = ""
    error: str = ""
    columns: list[Field] = field(default_factory=list)  # for "rows"
    rows: list[list[Field]] = field(default_factory=list)
    component_choices: list[CatalogueComponent] = field(default_factory=list)


@dataclass
class ActionForm:
    action: str
    label: str
    fields: list[Field]
    error: str = ""
    uploads: bool = False

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def _resolve_ref(schema: dict, prop: dict) -> dict:
    ref = prop.get("$ref")
    if ref:
        return schema.get("$defs", {}).get(ref.rsplit("/", 1)[-1], {})
    for option in prop.get("anyOf", []):
        if option.get("type") != "null":
            return _resolve_ref(schema, option) if "$ref" in option else option
    return prop


def _textual(name: str, prop: dict) -> str:
    if name in ("note", "reason", "question", "reply") or prop.get("maxLength", 0) > 500:
        return "textarea"
    return "text"


def build(entry: dict, dossier: Dossier) -> ActionForm:
    """The form of one available action (an entry of ``commands.available_actions``)."""
    schema = entry["fields"]
    required = set(schema.get("required", []))
    action = entry["action"]
    fields: list[Field] = []
    targets = [t for t in entry.get("targets", []) if t["step"] != END]
    for name, raw in schema.get("properties", {}).items():
        prop = _resolve_ref(schema, raw)
        label = LABELS.get(name, raw.get("description") or raw.get("title") or name)
        if name == "items" and action in ITEMS_LABELS:
            label = ITEMS_LABELS[action]
        f = Field(name=name, label=label, kind="text", required=name in required)
        if raw.get("description") and name not in LABELS:
            f.help = raw["description"]
        if "default" in raw and raw["default"] not in (None, ""):
            f.value = raw["default"]
        _shape(f, name, prop, schema, entry, dossier, targets)
        if f.kind == "skip":
            continue
        fields.append(f)
    form = ActionForm(action=action, label=entry["label"], fields=fields)
    form.uploads = any(f.kind == "components" for f in fields)
    return form


def _shape(f: Field, name: str, prop: dict, schema: dict, entry: dict, dossier: Dossier, targets) -> None:
    kind = prop.get("type")
    if name == "to_step":
        if len(targets) <= 1:
            f.kind = "skip"
            return
        f.kind = "select"
        f.choices = [(t["step"], t["name"]) for t in targets]
        return
    if name == "assignee_id":
        f.kind = "select"
        f.choices = _assignee_choices(dossier, entry, targets)
        if not f.required:
            f.choices.insert(0, ("", _("— Giao cho đơn vị, chưa chọn người —")))
        return
    if name == "handling_unit_id":
        f.kind = "select"
        f.choices = [("", _("— Cơ quan có thẩm quyền —"))] + [
            (str(a.pk), a.name)
            for a in Agency.objects.filter(
                parent__in=[dossier.competent_agency_id], kind=Agency.Kind.DIVISION
            ).order_by("name")
        ]
        if dossier.handling_unit_id:
            f.value = str(dossier.handling_unit_id)
        return
    if name == "agency_id":
        f.kind = "select"
        f.choices = [("", "—")] + [
            (str(pk), n)
            for pk, n in Agency.objects.exclude(kind=Agency.Kind.DIVISION)
            .exclude(pk=dossier.competent_agency_id)
            .order_by("name")
            .values_list("pk", "name")
        ]
        return
    if name == "consultation_id":
        f.kind = "select"
        f.choices = [
            (str(c.pk), f"{c.agency.name}: {c.question[:80]}")
            for c in dossier.consultations.filter(replied_at__isnull=True).select_related("agency")
        ]
        return
    if name == "components" and entry["action"] == "receive_supplement":
        f.kind = "components"
        f.component_choices = list(dossier.procedure_version.components.all())
        return
    if name == "recipient_name":
        f.kind = "text"
        f.value = dossier.delegate_name or dossier.applicant_name
        return
    if name == "new_due_at":
        f.kind = "datetime"
        return
    if "enum" in prop:
        f.kind = "select"
        labels = ENUM_LABELS.get(name, {})
        f.choices = [(str(v), labels.get(v, v)) for v in prop["enum"]]
        return
    if kind == "string":
        f.kind = "datetime" if prop.get("format") == "date-time" else _textual(name, prop)
        return
    if kind == "integer":
        f.kind = "int"
        return
    if kind == "number":
        f.kind = "number"
        return
    if kind == "boolean":
        f.kind = "bool"
        return
    if kind == "array":
        item = _resolve_ref(schema, prop.get("items", {}))
        if item.get("type") == "string":
            f.kind = "lines"
            return
        if item.get("type") == "object":
            f.kind = "rows"
            item_required = set(item.get("required", []))
            for sub_name, sub_raw in item.get("properties", {}).items():
                sub_prop = _resolve_ref(schema, sub_raw)
                sub = Field(
                    name=sub_name,
                    label=LABELS.get(sub_name, sub_raw.get("title", sub_name)),
                    kind="text",
                    required=sub_name in item_required,
                )
                _shape(sub, sub_name, sub_prop, schema, entry, dossier, targets)
                if sub.kind in ("text", "int", "number", "bool", "select"):
                    f.columns.append(sub)
            if entry["action"] == "record_result":
                names = "; ".join(r.name for r in dossier.procedure_version.results.all())
                f.help = _("Để trống để dùng kết quả theo danh mục thủ tục: %(names)s") % {"names": names}
            return
    f.kind = "json"  # anything else: the officer types the JSON the command expects


def _assignee_choices(dossier: Dossier, entry: dict, targets) -> list[tuple[str, Any]]:
    """Active users holding the role of the target step at the unit that will hold the dossier."""
    from motcua.dossiers import commands

    process = dossier.process.process()
    ctx = commands.Context(dossier, None, timezone.now())
    seen: dict[str, str] = {}
    for target in targets:
        step = process.step(target["step"])
        # The one rule that says which unit holds a step (commands.resolve_step_unit), not a copy of it.
        unit = commands.resolve_step_unit(ctx, step)
        for user in users_with_role(step.role, unit):
            seen.setdefault(str(user.pk), full_name(user))
    return sorted(seen.items(), key=lambda kv: kv[1])


# --------------------------------------------------------------------------------------------------------
# Reading the posted form back


def _convert(f: Field, raw: str) -> Any:
    raw = raw.strip()
    if raw == "":
        return None
    if f.kind == "int" or (f.kind == "select" and f.name.endswith("_id")):
        try:
            return int(raw)
        except ValueError:
            return raw  # the command's parser names the field and says "phải là số nguyên"
    if f.kind == "number":
        try:
            return float(raw.replace(",", "."))
        except ValueError:
            return raw
    if f.kind == "datetime":
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return raw
        if moment.tzinfo is None:
            moment = timezone.make_aware(moment)  # an officer types Vietnam time
        return moment.isoformat()
    return raw


def parse(form: ActionForm, post, files) -> tuple[dict, dict[int, Any]]:
    """(data for the command, uploaded files by position in the components list) from a POST."""
    import json

    data: dict[str, Any] = {}
    uploads: dict[int, Any] = {}
    for f in form.fields:
        if f.kind == "bool":
            data[f.name] = f.name in post
            continue
        if f.kind == "lines":
            lines = [line.strip() for line in post.get(f.name, "").splitlines() if line.strip()]
            if lines or f.required:
                data[f.name] = lines
            f.value = post.get(f.name, "")
            continue
        if f.kind == "rows":
            rows = []
            for i in range(int(post.get(f"{f.name}-rows", BLANK_ROWS) or BLANK_ROWS)):
                row: dict[str, Any] = {}
                for col in f.columns:
                    key = f"{f.name}-{i}-{col.name}"
                    if col.kind == "bool":
                        if key in post:
                            row[col.name] = True
                        continue
                    value = _convert(col, post.get(key, ""))
                    if value is not None:
                        row[col.name] = value
                if row:
                    rows.append(row)
            if rows or f.required:
                data[f.name] = rows
            continue
        if f.kind == "components":
            items, uploads = _components(f, post, files)
            data[f.name] = items
            continue
        if f.kind == "json":
            text = post.get(f.name, "").strip()
            f.value = text
            if text:
                try:
                    data[f.name] = json.loads(text)
                except ValueError:
                    data[f.name] = text
            continue
        raw = post.get(f.name, "")
        f.value = raw
        value = _convert(f, raw)
        if value is not None:
            data[f.name] = value
    return data, uploads


def _components(f: Field, post, files) -> tuple[list[dict], dict[int, Any]]:
    """Ticked catalogue components (with their scans) and free-text extra documents, in order."""
    items: list[dict] = []
    uploads: dict[int, Any] = {}
    ticked = set(post.getlist(f"{f.name}-ticked"))
    for c in f.component_choices:
        upload = files.get(f"{f.name}-file-{c.pk}") if files else None
        if str(c.pk) in ticked or upload is not None:
            item: dict[str, Any] = {"component_id": c.pk}
            if upload is not None:
                uploads[len(items)] = upload
                item.update(file_name=upload.name[:255], digitised=True)
            items.append(item)
    for line in post.get(f"{f.name}-other", "").splitlines():
        if line.strip():
            items.append({"name": line.strip()})
    f.value = sorted(ticked)
    return items, uploads


def attach_errors(form: ActionForm, message: str, details: list[dict]) -> None:
    """Put each error next to its field (``items.0.amount`` → the ``items`` field), the rest on top."""
    form.error = message
    for detail in details:
        top = str(detail.get("field", "")).split(".", 1)[0]
        target = form.field(top)
        if target is not None:
            target.error = "; ".join(filter(None, [target.error, detail.get("message", "")]))
