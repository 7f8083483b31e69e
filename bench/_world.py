"""The cast of the write benchmarks: a province (the generator's), one procedure, one of each officer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Cast:
    procedure_code: str
    agency_code: str
    point_id: int
    division_id: int
    desk: Any
    head: Any
    specialist: Any
    leader: Any
    clerk: Any
    components: list[dict]
    counters: list[tuple[int, Any]]  # (reception point id, a one-stop officer there), the centre first

    def payload(self, n: int, point_id: int | None = None) -> dict[str, Any]:
        """A counter reception (`commands.receive_new` / POST /api/v1/dossiers) for applicant number n."""
        return {
            "procedure_code": self.procedure_code,
            "reception_point_id": point_id or self.point_id,
            "channel": "in_person",
            "competent_agency_code": self.agency_code,
            "applicant": {
                "name": f"Nguyễn Văn Thử {n}",
                "id_number": f"0561900{n % 100000:05d}",
                "phone": f"09{n % 100000000:08d}",
                "address": "Khánh Hòa",
            },
            "components": self.components,
        }


def ensure_cast(quick: bool) -> Cast:
    from motcua.benchtools.province import ensure_province

    province = ensure_province(None, 12 if quick else 300, lambda _line: None)
    for version, units in province.procedures:
        unit = units[0]
        if unit.agency.kind == "commune" or province.centre is None:
            continue
        if not any(o.channel == "in_person" for o in version.channels.all()):
            continue
        division, heads, specialists = unit.divisions[0]
        desk = province.points[province.centre.pk][1][0]
        return Cast(
            procedure_code=version.procedure.code,
            agency_code=unit.agency.code,
            point_id=province.centre.pk,
            division_id=division.pk,
            desk=desk,
            head=heads[0],
            specialist=specialists[0],
            leader=unit.leaders[0],
            clerk=unit.clerks[0],
            components=[{"component_id": c.pk} for c in version.components.all() if c.required],
            counters=[(province.centre.pk, desk)]
            + [(pt.pk, staff[0]) for pt, staff in province.points.values() if pt.pk != province.centre.pk],
        )
    raise RuntimeError("no provincial procedure with a counter channel in the benchmark province")


def lifecycle_steps(cast: Cast) -> list[tuple[str, Any, dict]]:
    """The default process path after reception (engine guide): (action, actor, data) in order."""
    return [
        ("transfer", cast.desk, {"handling_unit_id": cast.division_id}),
        ("assign", cast.head, {"assignee_id": cast.specialist.pk}),
        ("record_result", cast.specialist, {}),
        ("forward", cast.specialist, {}),
        ("approve", cast.head, {}),
        ("approve", cast.leader, {}),
        ("issue_result", cast.clerk, {}),
        ("return_result", cast.desk, {"recipient_name": "Nguyễn Văn Thử"}),
    ]
