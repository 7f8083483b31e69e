"""Where a benchmark province-year happens: a real province, its agencies, staff and ~300 procedures.

With the shared reference data (settings.SHARED_DIR) present: the province's real communes come from the
official unit list through the unit importer, the procedures from the national catalogue sample through
`motcua import-procedures --publish`; the agencies (the People's Committee, its service centre,
departments with their divisions, every commune with its centre and two divisions) and their staff are
made here, in a valid QCVN 102 shape with codes no real agency uses (`…H<province code>` under synthetic
level-2 numbers). Without the shared data: the demo province of `motcua demo` and its catalogue.

Idempotent: a province already set up is reused as it is.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from motcua.catalogue.models import ProcedureVersion
from motcua.core.text import fold
from motcua.deadlines.units import DurationUnit
from motcua.org.models import AdministrativeUnit, Agency, ReceptionPoint, Role, RoleAssignment

K = Agency.Kind
BENCH_PASSWORD = "motcua-bench-2026"
DEFAULT_PROVINCE = "56"  # Khánh Hòa: 65 communes, the example province of the QCVN 102 codes in rules.md
USABLE_UNITS = {DurationUnit.WORKING_DAYS, DurationUnit.CALENDAR_DAYS, DurationUnit.WORKING_HOURS}

# Departments of a provincial People's Committee after the 2025 reorganisation, with the words of the
# procedure fields they decide (folded), and three divisions each.
DEPARTMENTS: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "TP",
        "Sở Tư pháp",
        ("ho tich", "chung thuc", "ly lich", "luat su", "cong chung", "tu phap", "quoc tich"),
    ),
    ("TC", "Sở Tài chính", ("kinh doanh", "dau tu", "doanh nghiep", "tai chinh", "hop tac xa", "thue")),
    ("XD", "Sở Xây dựng", ("xay dung", "nha o", "giao thong", "duong bo", "quy hoach", "dang kiem")),
    ("NM", "Sở Nông nghiệp và Môi trường", ("dat dai", "moi truong", "nong nghiep", "thuy", "lam", "khoang")),
    ("CT", "Sở Công Thương", ("cong thuong", "thuong mai", "dien", "hoa chat", "an toan thuc pham", "xang")),
    ("YT", "Sở Y tế", ("y te", "duoc", "kham", "benh", "bao hiem", "dan so")),
    ("GD", "Sở Giáo dục và Đào tạo", ("giao duc", "dao tao", "van bang", "thi", "truong")),
    ("NV", "Sở Nội vụ", ("noi vu", "lao dong", "viec lam", "nguoi co cong", "thi dua", "to chuc")),
    ("VH", "Sở Văn hóa, Thể thao và Du lịch", ("van hoa", "the thao", "du lich", "di san", "quang cao")),
    (
        "KH",
        "Sở Khoa học và Công nghệ",
        ("khoa hoc", "cong nghe", "buu chinh", "vien thong", "so huu tri tue"),
    ),
    ("DT", "Sở Dân tộc và Tôn giáo", ("dan toc", "ton giao", "tin nguong")),
    ("CA", "Công an tỉnh", ("cu tru", "can cuoc", "xuat nhap canh", "phong chay", "an ninh", "vu khi")),
]
DIVISIONS = ("Phòng Hành chính - Tổng hợp", "Phòng Nghiệp vụ 1", "Phòng Nghiệp vụ 2")
COMMUNE_DIVISIONS = ("Văn phòng HĐND và UBND", "Phòng Kinh tế")

FAMILY = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Mai Trịnh Tạ".split()  # noqa: SIM905
MIDDLE = "Văn Thị Minh Đức Thu Quốc Ngọc Thanh Hữu Hồng Xuân Gia Bảo Kim Anh Hoài".split()  # noqa: SIM905
GIVEN = (  # noqa: SIM905
    "An Bình Cường Dung Giang Hà Hải Hạnh Hiếu Hoa Hùng Hương Khánh Lan Linh Long Mai Minh Nam Nga "
    "Ngọc Nhung Phong Phúc Quân Quỳnh Sơn Tâm Thảo Thắng Thủy Trang Trung Tuấn Vân Việt Yến"
).split()


def person_name(rng: random.Random) -> tuple[str, str]:
    """(family and middle names, given name): Django's first_name / last_name in the project's convention."""
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)}", rng.choice(GIVEN)


@dataclass
class Unit:
    """A competent agency and the divisions that handle its dossiers, with who does what there."""

    agency: Agency
    leaders: list = field(default_factory=list)
    clerks: list = field(default_factory=list)
    divisions: list[tuple[Agency, list, list]] = field(default_factory=list)  # (division, heads, specialists)


@dataclass
class Province:
    """What the workload plan draws from (everything already in the database)."""

    name: str
    centre: ReceptionPoint | None
    points: dict[int, tuple[ReceptionPoint, list]]  # point id → (point, one-stop officers)
    departments: list[Unit]
    communes: list[tuple[Unit, ReceptionPoint]]
    procedures: list[tuple[ProcedureVersion, list[Unit]]]  # version → the units that may decide it
    source: str


def shared_units_file() -> Path | None:
    folder = Path(settings.SHARED_DIR) / "data" / "admin-units"
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return files[-1] if files else None


def shared_catalogue_file() -> Path | None:
    path = Path(settings.SHARED_DIR) / "data" / "tthc" / "national_catalogue_sample.jsonl.gz"
    return path if path.is_file() else None


def ensure_province(
    province_code: str | None, procedures: int, write: Callable[[str], None], seed: int = 2026
) -> Province:
    units_file, catalogue_file = shared_units_file(), shared_catalogue_file()
    if units_file is None or catalogue_file is None:
        write("Không có dữ liệu dùng chung (SHARED_DIR): dùng tỉnh mẫu của `motcua demo`.")
        from motcua.org.demo import run_demo

        if not Agency.objects.filter(code="000.00.00.H99").exists():
            run_demo(write=lambda _line: None)
        return load_province("000.00.00.H99", source="demo")
    code = province_code or DEFAULT_PROVINCE
    root_code = f"000.00.00.H{code}"
    if not Agency.objects.filter(code=root_code).exists():
        _build_real_province(units_file, code, seed, write)
    _import_procedures(catalogue_file, procedures, write)
    return load_province(root_code, source="shared", limit=procedures)


def _build_real_province(units_file: Path, code: str, seed: int, write: Callable[[str], None]) -> None:
    from motcua.org.units_import import import_units, read_units
    from motcua.workflow.loader import ensure_builtin_processes

    import_units(read_units(units_file, province=code))
    province_unit = AdministrativeUnit.objects.get(code=code)
    communes = list(AdministrativeUnit.objects.filter(province=province_unit).order_by("code"))
    rng = random.Random(seed)
    password = make_password(BENCH_PASSWORD)
    User = get_user_model()
    users: list = []
    roles: list[tuple[Any, str, Agency, ReceptionPoint | None, str]] = []

    def staff(prefix: str, role: str, agency: Agency, count: int, title: str, point=None) -> None:
        for n in range(1, count + 1):
            first, last = person_name(rng)
            user = User(username=f"{prefix}.{role}{n}", first_name=first, last_name=last, password=password)
            users.append(user)
            roles.append((user, role, agency, point, title))

    with transaction.atomic():
        h = f"H{code}"
        province = Agency.objects.create(
            name=f"Ủy ban nhân dân {province_unit.full_name}",
            short_name=f"UBND {province_unit.name}",
            kind=K.PROVINCE,
            code=f"000.00.00.{h}",
            electronic_id=h,
            admin_unit=province_unit,
        )
        centre_agency = Agency.objects.create(
            name=f"Trung tâm Phục vụ hành chính công {province_unit.full_name}",
            short_name="Trung tâm PVHCC tỉnh",
            kind=K.DIVISION,
            parent=province,
            code=f"000.00.30.{h}",
            electronic_id=f"{h}.30",
        )
        centre = ReceptionPoint.objects.create(
            name=centre_agency.name,
            kind=ReceptionPoint.Kind.PROVINCIAL_CENTRE,
            agency=centre_agency,
            admin_unit=province_unit,
        )
        staff(f"b{code}.ttpvhcc", Role.ONE_STOP, centre_agency, 12, "Công chức tiếp nhận", centre)
        for number, (short, name, _words) in enumerate(DEPARTMENTS, start=1):
            dept = Agency.objects.create(
                name=f"{name} {province_unit.full_name}",
                short_name=name,
                kind=K.VERTICAL if short == "CA" else K.DEPARTMENT,
                parent=province,
                code=f"000.00.{number:02d}.{h}",
                electronic_id=f"{h}.{number:02d}",
            )
            prefix = f"b{code}.{short.lower()}"
            staff(prefix, Role.LEADER, dept, 1, f"Giám đốc {name}")
            staff(prefix, Role.CLERK, dept, 1, "Văn thư")
            for d, division_name in enumerate(DIVISIONS, start=1):
                division = Agency.objects.create(
                    name=division_name, kind=K.DIVISION, parent=dept, code=f"000.{d:02d}.{number:02d}.{h}"
                )
                staff(f"{prefix}.p{d}", Role.HEAD, division, 1, f"Trưởng {division_name}")
                staff(f"{prefix}.p{d}", Role.SPECIALIST, division, 4, "Chuyên viên")
        for i, unit in enumerate(communes):
            level2, level3 = 50 + i // 100, i % 100
            commune = Agency.objects.create(
                name=f"Ủy ban nhân dân {unit.full_name}",
                short_name=f"UBND {unit.full_name}",
                kind=K.COMMUNE,
                parent=province,
                admin_unit=unit,
                code=f"000.{level3:02d}.{level2:02d}.{h}",
                electronic_id=f"{h}.X{unit.code}",
            )
            point = ReceptionPoint.objects.create(
                name=f"Trung tâm Phục vụ hành chính công {unit.full_name}",
                kind=ReceptionPoint.Kind.COMMUNE_CENTRE,
                agency=commune,
                admin_unit=unit,
            )
            prefix = f"b{code}.x{unit.code}"
            staff(prefix, Role.ONE_STOP, commune, 2, "Công chức tiếp nhận", point)
            staff(prefix, Role.LEADER, commune, 1, f"Chủ tịch UBND {unit.full_name}")
            staff(prefix, Role.CLERK, commune, 1, "Văn thư")
            for d, division_name in enumerate(COMMUNE_DIVISIONS, start=1):
                division = Agency.objects.create(
                    name=division_name,
                    kind=K.DIVISION,
                    parent=commune,
                    code=f"{d:03d}.{level3:02d}.{level2:02d}.{h}",
                )
                staff(f"{prefix}.p{d}", Role.HEAD, division, 1, f"Trưởng {division_name}")
                staff(f"{prefix}.p{d}", Role.SPECIALIST, division, 2, "Công chức chuyên môn")
        User.objects.bulk_create(users)
        by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
        RoleAssignment.objects.bulk_create(
            RoleAssignment(
                user=by_name[u.username], role=role, agency=agency, reception_point=point, title=title
            )
            for u, role, agency, point, title in roles
        )
        ensure_builtin_processes()
    write(
        f"{province_unit.full_name}: {len(communes)} xã, phường, {len(DEPARTMENTS)} sở, ngành, "
        f"{len(users)} cán bộ."
    )


def _import_procedures(catalogue_file: Path, wanted: int, write: Callable[[str], None]) -> None:
    """Import the first provincial/commune records of the national sample through the real importer."""
    from django.core.management import call_command

    from motcua.catalogue.models import Procedure

    picked: list[str] = []
    with gzip.open(catalogue_file, "rt", encoding="utf-8") as source:
        for line in source:
            record = json.loads(line)
            level = fold(record.get("cap_thuc_hien", ""))
            channels = fold(record.get("cach_thuc_thuc_hien", ""))
            if ("tinh" in level or "xa" in level) and "ngay lam viec" in channels:
                picked.append(line)
            if len(picked) >= int(wanted * 1.3):  # some records lack a usable duration or result
                break
    codes = [json.loads(line).get("ma_thu_tuc", "") for line in picked]
    have = Procedure.objects.filter(code__in=codes, versions__status=ProcedureVersion.Status.PUBLISHED)
    if have.distinct().count() >= len(set(codes)) * 0.9:
        return
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "procedures.jsonl"  # a selection of the shared sample, outside the repository
    path.write_text("".join(picked), encoding="utf-8")
    write(f"Nhập {len(picked)} thủ tục từ {catalogue_file.name} qua `motcua import-procedures --publish`…")
    call_command("import_procedures", str(path), publish=True, stdout=_Quiet(), stderr=_Quiet())


class _Quiet:
    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def _unit(
    agency: Agency, by_agency: dict[int, list[RoleAssignment]], children: dict[int, list]
) -> Unit | None:
    unit = Unit(agency)
    for a in by_agency.get(agency.pk, []):
        if a.role == Role.LEADER:
            unit.leaders.append(a.user)
        elif a.role == Role.CLERK:
            unit.clerks.append(a.user)
    for division in children.get(agency.pk, []):
        if division.kind != K.DIVISION:
            continue
        mine = by_agency.get(division.pk, [])
        heads = [a.user for a in mine if a.role == Role.HEAD]
        specialists = [a.user for a in mine if a.role == Role.SPECIALIST]
        if heads and specialists:
            unit.divisions.append((division, heads, specialists))
    return unit if unit.leaders and unit.clerks and unit.divisions else None


def load_province(root_code: str, *, source: str, limit: int = 300) -> Province:
    """Read back the province's usable structure: who can receive, decide and handle what."""
    root = Agency.objects.get(code=root_code)
    agencies = list(Agency.objects.all())
    children: dict[int, list] = {}
    for a in agencies:
        children.setdefault(a.parent_id, []).append(a)
    by_agency: dict[int, list[RoleAssignment]] = {}
    for a in RoleAssignment.objects.valid_on(None).select_related("user").filter(user__is_active=True):
        by_agency.setdefault(a.agency_id, []).append(a)
    points: dict[int, tuple[ReceptionPoint, list]] = {}
    for a in RoleAssignment.objects.valid_on(None).filter(role=Role.ONE_STOP, reception_point__isnull=False):
        point = a.reception_point
        assert point is not None
        points.setdefault(point.pk, (point, []))[1].append(a.user)
    below_root = [a for a in children.get(root.pk, [])]
    departments = [
        u for a in below_root if a.kind in (K.DEPARTMENT, K.VERTICAL) if (u := _unit(a, by_agency, children))
    ]
    communes = []
    for a in below_root:
        if a.kind != K.COMMUNE:
            continue
        unit = _unit(a, by_agency, children)
        point = next((pt for pt, _staff in points.values() if pt.agency_id == a.pk), None)
        if unit and point:
            communes.append((unit, point))
    centre = next(
        (
            pt
            for pt, _s in points.values()
            if pt.kind == ReceptionPoint.Kind.PROVINCIAL_CENTRE and pt.agency.parent_id == root.pk
        ),
        None,
    )
    procedures = []
    usable = (
        ProcedureVersion.objects.filter(
            status=ProcedureVersion.Status.PUBLISHED,
            channels__channel="in_person",
            channels__duration_unit__in=USABLE_UNITS,
            channels__duration_value__gt=0,
            results__isnull=False,
        )
        .order_by("procedure__code")
        .values_list("pk", flat=True)
        .distinct()
    )
    ids = list(usable[: limit * 2])
    versions = (
        ProcedureVersion.objects.filter(pk__in=ids)
        .select_related("procedure", "field", "competent_agency")
        .prefetch_related("components", "results", "channels__fees")
        .order_by("procedure__code")
    )
    dept_by_short = {u.agency.short_name: u for u in departments}
    for version in versions:
        if "commune" in (version.levels or []) and communes:
            candidates = [u for u, _pt in communes]
        else:
            chosen = _department_for(version, departments, dept_by_short)
            if chosen is None or centre is None:
                continue
            candidates = [chosen]
        procedures.append((version, candidates))
        if len(procedures) >= limit:
            break
    return Province(
        name=root.name,
        centre=centre,
        points=points,
        departments=departments,
        communes=communes,
        procedures=procedures,
        source=source,
    )


def _department_for(
    version: ProcedureVersion, departments: list[Unit], by_short: dict[str, Unit]
) -> Unit | None:
    if version.competent_agency_id is not None:
        return next((u for u in departments if u.agency.pk == version.competent_agency_id), None)
    if not departments:
        return None
    text = fold(f"{version.field.name if version.field else ''} {version.name}")
    for _short, name, words in DEPARTMENTS:
        if name in by_short and any(w in text for w in words):
            return by_short[name]
    return departments[int(version.procedure.code.replace(".", "")) % len(departments)]
