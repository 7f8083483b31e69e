"""Step names and roles of every process definition, read in one small query and parsed once.

Dossiers pin the process they started with, so the inbox needs the names of steps of published and
retired definitions alike. The table holds a few dozen rows; parsing is cached by the definition's content,
which a published definition never changes (``ProcessDefinition.save`` refuses it).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from motcua.workflow.definition import END, Process, parse_process
from motcua.workflow.models import ProcessDefinition

_lock = threading.Lock()
_parsed: dict[str, Process] = {}
_MAX = 512


@dataclass
class Processes:
    by_id: dict[int, Process]

    def step_name(self, process_id: int, key: str) -> str:
        if not key or key == END:
            return ""
        process = self.by_id.get(process_id)
        if process is None:
            return key
        try:
            return process.step(key).name
        except KeyError:
            return key

    def steps_with_role(self, role: str) -> list[tuple[int, str]]:
        """(process id, step key) of every step held by ``role``."""
        return [(pid, s.key) for pid, p in self.by_id.items() for s in p.steps if s.role == role]


def load() -> Processes:
    found: dict[int, Process] = {}
    for pk, spec in ProcessDefinition.objects.exclude(status=ProcessDefinition.Status.DRAFT).values_list(
        "pk", "spec"
    ):
        key = json.dumps(spec, sort_keys=True)
        with _lock:
            process = _parsed.get(key)
        if process is None:
            process = parse_process(spec)
            with _lock:
                if len(_parsed) >= _MAX:
                    _parsed.clear()
                _parsed[key] = process
        found[pk] = process
    return Processes(found)
