"""YAML import/export of process definitions and the built-in defaults."""

from __future__ import annotations

from pathlib import Path

import yaml

from .definition import ProcessError, parse_process
from .models import ProcessDefinition, publish

BUILTIN_DIR = Path(__file__).parent / "processes"


def load_yaml(text: str, *, source: str = "") -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProcessError([f"{source}: tệp YAML không đọc được: {exc}"]) from None
    parse_process(data)  # validate before anything is written
    return data


def import_process(
    text: str, *, source: str = "", publish_now: bool = False
) -> tuple[ProcessDefinition, bool]:
    """Create a new version when the definition changed; return (definition, created)."""
    data = load_yaml(text, source=source)
    latest = ProcessDefinition.objects.filter(code=data["code"]).order_by("-number").first()
    if latest is not None and latest.spec == data:
        if publish_now and latest.status == ProcessDefinition.Status.DRAFT:
            publish(latest)
        return latest, False
    definition = ProcessDefinition.objects.create(
        code=data["code"], name=data["name"], spec=data, number=(latest.number + 1) if latest else 1
    )
    if publish_now:
        publish(definition)
    return definition, True


def export_process(definition: ProcessDefinition) -> str:
    return yaml.safe_dump(definition.spec, allow_unicode=True, sort_keys=False)


def ensure_builtin_processes() -> list[ProcessDefinition]:
    """Publish the built-in default processes if they are missing (idempotent)."""
    result = []
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        definition, _created = import_process(
            path.read_text(encoding="utf-8"), source=path.name, publish_now=True
        )
        result.append(definition)
    return result
