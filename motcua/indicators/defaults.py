"""Loading a definition written as data (``definition_2026.yaml``) into the database.

Used by migration 0002 (with the historical models it is given) and by ``motcua index load-defaults``, so it
only touches fields by name and never relies on model methods. Idempotent: a version that already exists is
left untouched, because a published definition is history and must not be rewritten by a re-run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml
from django.utils import timezone

from motcua.indicators import scoring

DEFAULT_DEFINITION = Path(__file__).with_name("definition_2026.yaml")


class DefinitionFileError(ValueError):
    pass


def _decimal(value: Any, where: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise DefinitionFileError(f"{where}: '{value}' không phải là số") from None
    if not result.is_finite():
        raise DefinitionFileError(f"{where}: '{value}' không phải là số hữu hạn")
    return result


def read_definition(path: Path = DEFAULT_DEFINITION) -> tuple[dict[str, Any], scoring.Definition]:
    """The file's raw data and its scorer snapshot; refuses an inconsistent definition, naming the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DefinitionFileError(f"{path}: không đọc được tệp định nghĩa ({exc})") from None
    try:
        snapshot = scoring.Definition(
            version=int(data["version"]),
            valid_from=data["valid_from"],
            justification=data["justification"],
            groups=tuple(
                scoring.GroupDefinition(
                    code=g["code"],
                    title_vi=g["title_vi"],
                    title_en=g.get("title_en", ""),
                    max_points=_decimal(g["max_points"], f"{path}: nhóm {g['code']}"),
                )
                for g in data["groups"]
            ),
            items=tuple(
                scoring.ItemDefinition(
                    number=i["number"],
                    group=i["group"],
                    title_vi=i["title_vi"],
                    title_en=i.get("title_en", ""),
                    points=_decimal(i["points"], f"{path}: chỉ tiêu {i['number']}"),
                    kind=scoring.ScoringKind(i["kind"]),
                    empty_policy=scoring.EmptyPolicy(i["empty_policy"]),
                    source=scoring.Source(i["source"]),
                    threshold=(
                        Fraction(_decimal(i["threshold_percent"], f"{path}: chỉ tiêu {i['number']}")) / 100
                        if i.get("threshold_percent") is not None
                        else None
                    ),
                    decimals=int(i.get("decimals", 2)),
                )
                for i in data["items"]
            ),
            bands=tuple(
                scoring.Band(
                    code=b["code"],
                    min_total=_decimal(b["min_total"], f"{path}: xếp loại {b['code']}"),
                    label_vi=b["label_vi"],
                    label_en=b.get("label_en", ""),
                )
                for b in data["bands"]
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, DefinitionFileError):
            raise
        raise DefinitionFileError(f"{path}: thiếu hoặc sai trường {exc}") from None
    if not isinstance(snapshot.valid_from, dt.date):
        raise DefinitionFileError(f"{path}: valid_from phải là ngày dạng YYYY-MM-DD")
    problems = snapshot.problems()
    if problems:
        raise DefinitionFileError(f"{path}: " + " ".join(problems))
    return data, snapshot


def load_definition(models: Any, path: Path = DEFAULT_DEFINITION) -> bool:
    """Create and publish the file's definition (and its targets, if none exist yet). False if present.

    ``models`` is anything with ``get_model(app_label, name)``: the migration's ``apps`` or the live registry.
    """
    data, snapshot = read_definition(path)
    definition_model = models.get_model("indicators", "IndexDefinition")
    if definition_model.objects.filter(version=snapshot.version).exists():
        return False
    definition = definition_model.objects.create(
        version=snapshot.version,
        name=data["name"],
        valid_from=snapshot.valid_from,
        justification=snapshot.justification,
        status="draft",
    )
    group_model = models.get_model("indicators", "IndexGroup")
    item_model = models.get_model("indicators", "IndexItem")
    band_model = models.get_model("indicators", "IndexBand")
    for order, group in enumerate(snapshot.groups, start=1):
        group_model.objects.create(
            definition=definition,
            code=group.code,
            order=order,
            title_vi=group.title_vi,
            title_en=group.title_en,
            max_points=group.max_points,
        )
    raw_items = {i["number"]: i for i in data["items"]}
    for order, item in enumerate(snapshot.items, start=1):
        item_model.objects.create(
            definition=definition,
            number=item.number,
            group=item.group,
            order=order,
            title_vi=item.title_vi,
            title_en=item.title_en,
            numerator_text=raw_items[item.number].get("numerator_text", ""),
            denominator_text=raw_items[item.number].get("denominator_text", ""),
            points=item.points,
            kind=item.kind.value,
            threshold_percent=(
                None if item.threshold is None else _decimal(raw_items[item.number]["threshold_percent"], "")
            ),
            empty_policy=item.empty_policy.value,
            decimals=item.decimals,
            source=item.source.value,
        )
    for band in snapshot.bands:
        band_model.objects.create(
            definition=definition,
            code=band.code,
            min_total=band.min_total,
            label_vi=band.label_vi,
            label_en=band.label_en,
        )
    # Published last, by a plain UPDATE: parts may only be written while their definition is a draft.
    definition_model.objects.filter(pk=definition.pk).update(status="published", published_at=timezone.now())

    target_model = models.get_model("indicators", "IndexTarget")
    if not target_model.objects.exists():
        for target in data.get("targets", []):
            target_model.objects.create(
                title_vi=target["title_vi"],
                title_en=target.get("title_en", ""),
                applies_to=target.get("applies_to") or "",
                comparison=target["comparison"],
                value_percent=_decimal(target["value_percent"], f"{path}: mục tiêu {target['title_vi']}"),
                due_year=target.get("due_year"),
                source=target.get("source", ""),
            )
    return True
