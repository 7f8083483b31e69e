"""The demo province: a fictional "Tỉnh Hồng Lam", written for the demo (not taken from any official list).

Its codes look real but cannot clash with real ones: province code 99 and QCVN 102 group H99 are not used by
any province (Decision 19/2025 codes stop at 96), and its communes use 990xx codes. The shape follows the
two-tier government in force since 01/07/2025: the provincial People's Committee, its public-administration
service centre (with a branch), departments with divisions, and communes/wards/a special zone directly
under the province, each with its own commune centre.

QCVN 102 codes read right to left: H99 the province, then the level-2 unit (department or commune), then
the level-3 unit (division): ``000.01.05.H99`` is division 01 of department 05.
"""

from __future__ import annotations

from motcua.org.models import AdministrativeUnit, Agency, ReceptionPoint

from .base import DemoContext, ensure

K = Agency.Kind
UK = AdministrativeUnit.Kind
RK = ReceptionPoint.Kind

PROVINCE = {
    "code": "99",
    "name": "Hồng Lam",
    "full_name": "Tỉnh Hồng Lam",
    "name_en": "Hong Lam",
    "agency_code": "000.00.00.H99",
    "electronic_id": "H99",
    "address": "Số 1 đường Trần Hưng Đạo, phường Đông Thành, tỉnh Hồng Lam",
}

# key, code, electronic id, name, short name, kind, parent key, extra
PROVINCIAL_AGENCIES: list[dict] = [
    {
        "key": "office",
        "code": "000.00.01.H99",
        "eid": "H99.01",
        "name": "Văn phòng Ủy ban nhân dân tỉnh Hồng Lam",
        "short": "Văn phòng UBND tỉnh",
        "kind": K.DIVISION,
        "parent": "province",
    },
    {
        "key": "centre",
        "code": "000.00.30.H99",
        "eid": "H99.30",
        "name": "Trung tâm Phục vụ hành chính công tỉnh Hồng Lam",
        "short": "Trung tâm PVHCC tỉnh",
        "kind": K.DIVISION,
        "parent": "province",
        # The centre also opens on Saturday mornings in many provinces; office hours here are per weekday.
        "office_hours": "07:30-11:30,13:30-17:00",
    },
    {
        "key": "justice",
        "code": "000.00.05.H99",
        "eid": "H99.05",
        "name": "Sở Tư pháp tỉnh Hồng Lam",
        "short": "Sở Tư pháp",
        "kind": K.DEPARTMENT,
        "parent": "province",
        "divisions": [
            ("justice.civil", "000.01.05.H99", "Phòng Hành chính tư pháp"),
            ("justice.support", "000.02.05.H99", "Phòng Bổ trợ tư pháp"),
            ("justice.records", "000.03.05.H99", "Phòng Lý lịch tư pháp"),
        ],
    },
    {
        "key": "construction",
        "code": "000.00.06.H99",
        "eid": "H99.06",
        "name": "Sở Xây dựng tỉnh Hồng Lam",
        "short": "Sở Xây dựng",
        "kind": K.DEPARTMENT,
        "parent": "province",
        "divisions": [
            ("construction.permits", "000.01.06.H99", "Phòng Quản lý xây dựng"),
            ("construction.housing", "000.02.06.H99", "Phòng Quản lý nhà và thị trường bất động sản"),
        ],
    },
    {
        "key": "agriculture",
        "code": "000.00.07.H99",
        "eid": "H99.07",
        "name": "Sở Nông nghiệp và Môi trường tỉnh Hồng Lam",
        "short": "Sở Nông nghiệp và Môi trường",
        "kind": K.DEPARTMENT,
        "parent": "province",
        "divisions": [
            ("agriculture.land", "000.01.07.H99", "Văn phòng Đăng ký đất đai"),
            ("agriculture.environment", "000.02.07.H99", "Phòng Môi trường"),
        ],
    },
    {
        "key": "finance",
        "code": "000.00.08.H99",
        "eid": "H99.08",
        "name": "Sở Tài chính tỉnh Hồng Lam",
        "short": "Sở Tài chính",
        "kind": K.DEPARTMENT,
        "parent": "province",
        "divisions": [
            ("finance.business", "000.01.08.H99", "Phòng Đăng ký kinh doanh"),
        ],
    },
    {
        "key": "police",
        "code": "000.00.40.H99",
        "eid": "H99.40",
        "name": "Công an tỉnh Hồng Lam",
        "short": "Công an tỉnh",
        "kind": K.VERTICAL,
        "parent": "province",
        "divisions": [
            ("police.admin", "000.01.40.H99", "Phòng Cảnh sát quản lý hành chính về trật tự xã hội"),
            ("police.traffic", "000.02.40.H99", "Phòng Cảnh sát giao thông"),
        ],
    },
]

# Communes, wards and a special zone directly under the province (two-tier government).
# unit code, kind, name, agency code (level-2 slot 51–55), electronic id
COMMUNES: list[dict] = [
    {"code": "99001", "kind": UK.WARD, "name": "Đông Thành", "agency": "000.00.51.H99", "eid": "H99.51"},
    {"code": "99004", "kind": UK.WARD, "name": "Tây Sơn", "agency": "000.00.52.H99", "eid": "H99.52"},
    {"code": "99007", "kind": UK.COMMUNE, "name": "Hòa An", "agency": "000.00.53.H99", "eid": "H99.53"},
    {"code": "99010", "kind": UK.COMMUNE, "name": "Tân Lập", "agency": "000.00.54.H99", "eid": "H99.54"},
    {
        "code": "99013",
        "kind": UK.SPECIAL_ZONE,
        "name": "Hòn Ngọc",
        "agency": "000.00.55.H99",
        "eid": "H99.55",
    },
]

_UNIT_WORD = {UK.WARD: "Phường", UK.COMMUNE: "Xã", UK.SPECIAL_ZONE: "Đặc khu"}


def commune_key(unit_code: str) -> str:
    return f"commune:{unit_code}"


def load(ctx: DemoContext) -> None:
    prov_unit = ensure(
        ctx,
        AdministrativeUnit,
        {"code": PROVINCE["code"]},
        kind=UK.PROVINCE,
        name=PROVINCE["name"],
        full_name=PROVINCE["full_name"],
        name_en=PROVINCE["name_en"],
        province=None,
    )
    ctx.units[prov_unit.code] = prov_unit
    province = ensure(
        ctx,
        Agency,
        {"code": PROVINCE["agency_code"]},
        name=f"Ủy ban nhân dân tỉnh {PROVINCE['name']}",
        short_name=f"UBND tỉnh {PROVINCE['name']}",
        kind=K.PROVINCE,
        parent=None,
        admin_unit=prov_unit,
        electronic_id=PROVINCE["electronic_id"],
        address=PROVINCE["address"],
        phone="0299 3800 000",
        email="ubnd@honglam.gov.vn.example",
    )
    ctx.agencies["province"] = province

    for spec in PROVINCIAL_AGENCIES:
        agency = ensure(
            ctx,
            Agency,
            {"code": spec["code"]},
            name=spec["name"],
            short_name=spec["short"],
            kind=spec["kind"],
            parent=ctx.agencies[spec["parent"]],
            admin_unit=prov_unit,
            electronic_id=spec["eid"],
            office_hours=spec.get("office_hours", ""),
        )
        ctx.agencies[spec["key"]] = agency
        for number, (key, code, name) in enumerate(spec.get("divisions", []), start=1):
            ctx.agencies[key] = ensure(
                ctx,
                Agency,
                {"code": code},
                name=name,
                short_name="",
                kind=K.DIVISION,
                parent=agency,
                admin_unit=prov_unit,
                electronic_id=f"{spec['eid']}.{number:02d}",
                office_hours="",
            )

    ctx.points["centre"] = ensure(
        ctx,
        ReceptionPoint,
        {"name": "Trung tâm Phục vụ hành chính công tỉnh Hồng Lam"},
        kind=RK.PROVINCIAL_CENTRE,
        agency=ctx.agencies["centre"],
        admin_unit=prov_unit,
        address="Số 5 đường Lê Lợi, phường Đông Thành, tỉnh Hồng Lam",
        phone="0299 3812 345",
        office_hours="",
        is_active=True,
    )

    for spec in COMMUNES:
        word = _UNIT_WORD[spec["kind"]]
        unit = ensure(
            ctx,
            AdministrativeUnit,
            {"code": spec["code"]},
            kind=spec["kind"],
            name=spec["name"],
            full_name=f"{word} {spec['name']}",
            name_en="",
            province=prov_unit,
        )
        ctx.units[unit.code] = unit
        commune = ensure(
            ctx,
            Agency,
            {"code": spec["agency"]},
            name=f"Ủy ban nhân dân {word.lower()} {spec['name']}",
            short_name=f"UBND {word.lower()} {spec['name']}",
            kind=K.COMMUNE,
            parent=province,
            admin_unit=unit,
            electronic_id=spec["eid"],
            office_hours="",
        )
        key = commune_key(unit.code)
        ctx.agencies[key] = commune
        # Commune divisions after the 2025 reform: the office (which handles justice and civil status) and
        # an economic division (named for urban areas in wards).
        level2 = spec["agency"].split(".")[2]
        economic = "Phòng Kinh tế, Hạ tầng và Đô thị" if spec["kind"] == UK.WARD else "Phòng Kinh tế"
        for number, (suffix, name) in enumerate(
            [
                ("office", "Văn phòng HĐND và UBND"),
                ("economic", economic),
                ("social", "Phòng Văn hóa - Xã hội"),
            ],
            start=1,
        ):
            ctx.agencies[f"{key}.{suffix}"] = ensure(
                ctx,
                Agency,
                {"code": f"000.{number:02d}.{level2}.H99"},
                name=f"{name} {word.lower()} {spec['name']}",
                short_name=name,
                kind=K.DIVISION,
                parent=commune,
                admin_unit=unit,
                electronic_id=f"{spec['eid']}.{number:02d}",
                office_hours="",
            )
        ctx.points[key] = ensure(
            ctx,
            ReceptionPoint,
            {"name": f"Trung tâm Phục vụ hành chính công {word.lower()} {spec['name']}"},
            kind=RK.COMMUNE_CENTRE,
            agency=commune,
            admin_unit=unit,
            address=f"Trụ sở UBND {word.lower()} {spec['name']}, tỉnh Hồng Lam",
            phone="",
            office_hours="",
            is_active=True,
        )

    # A branch of the provincial centre, in a ward far from the capital: dossiers received there carry the
    # centre's code, since it is the centre's counter.
    ctx.points["centre.branch"] = ensure(
        ctx,
        ReceptionPoint,
        {"name": "Chi nhánh số 1 Trung tâm Phục vụ hành chính công tỉnh Hồng Lam"},
        kind=RK.BRANCH,
        agency=ctx.agencies["centre"],
        admin_unit=ctx.units["99004"],
        address="Số 12 đường Nguyễn Trãi, phường Tây Sơn, tỉnh Hồng Lam",
        phone="0299 3823 456",
        office_hours="",
        is_active=True,
    )
