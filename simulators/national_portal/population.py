"""The simulated population database (contract §6): a seeded set of synthetic citizens and households.

Seeding is deterministic (same seed, size and unit list → the same people, byte for byte) and idempotent
(seeding again with the same values changes nothing). Ages are counted from a fixed reference date, not
today, so that a seed gives the same population whatever day it runs.

Names are drawn from the lists below (written for this project). Addresses use real administrative-unit
codes: the official list under ``SHARED_DIR/data/admin-units/`` when it is present, else a few units typed
here from Decision 19/2025/QĐ-TTg.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.color import no_style
from django.db import connections, transaction

from simulators.national_portal.models import Citizen, Household, PopulationSeed
from simulators.national_portal.router import DB_ALIAS
from simulators.national_portal.rules import century_digit

REFERENCE_DATE = dt.date(2026, 7, 1)

FAMILY_NAMES = [
    ("Nguyễn", 31), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4),
    ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1),
    ("Lý", 1), ("Đinh", 1), ("Trịnh", 1), ("Đoàn", 1), ("Lâm", 1), ("Mai", 1), ("Tạ", 1), ("Hà", 1),
    ("Cao", 1), ("Lương", 1), ("Kiều", 1), ("Chu", 1), ("Quách", 1), ("Tô", 1), ("Thái", 1),
]  # fmt: skip
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công", "Gia", "Hoàng", "Ngọc", "Xuân", "Quang",
               "Anh", "Duy", "Trọng", "Tấn", "Đình", "Bá"]  # fmt: skip
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Bảo", "Khánh", "Diệu", "Mai",
                 "Hồng", "Kim", "Thùy", "Mỹ"]  # fmt: skip
GIVEN_MALE = ["An", "Bảo", "Bình", "Cường", "Dũng", "Đạt", "Đức", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy",
              "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Nhân", "Phong",
              "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trí", "Trung",
              "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Hưng", "Lực"]  # fmt: skip
GIVEN_FEMALE = ["An", "Anh", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng",
                "Huệ", "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung",
                "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thơ", "Thu", "Thúy", "Trang", "Trinh",
                "Tuyết", "Uyên", "Vân", "Vy", "Yến", "Ánh", "Diệp"]  # fmt: skip
ETHNIC_GROUPS = [("Kinh", 85), ("Tày", 2), ("Thái", 2), ("Mường", 2), ("Khmer", 2), ("Hoa", 1), ("Nùng", 1),
                 ("H'Mông", 1), ("Dao", 1), ("Ê Đê", 1), ("Chăm", 1), ("Sán Dìu", 1)]  # fmt: skip
STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Quang Trung", "Lý Thường Kiệt",
           "Hùng Vương", "Phan Chu Trinh", "Nguyễn Huệ", "Điện Biên Phủ", "Lê Duẩn", "Võ Thị Sáu",
           "Bà Triệu", "Nguyễn Du", "Trưng Nữ Vương"]  # fmt: skip
VILLAGES = ["Thôn Đông", "Thôn Tây", "Thôn Trung", "Thôn Nam", "Thôn Bắc", "Xóm Mới", "Ấp 1", "Ấp 2",
            "Bản Na", "Thôn Tân Lập", "Thôn Phú Mỹ"]  # fmt: skip

# Typed from Decision 19/2025/QĐ-TTg for when the official list is absent: (province, name, commune, name).
BUILTIN_UNITS = [
    ("01", "Thành phố Hà Nội", "00004", "Phường Ba Đình"),
    ("01", "Thành phố Hà Nội", "00008", "Phường Ngọc Hà"),
    ("01", "Thành phố Hà Nội", "00025", "Phường Giảng Võ"),
    ("38", "Tỉnh Thanh Hoá", "14758", "Phường Hàm Rồng"),
    ("46", "Thành phố Huế", "19753", "Phường Phú Xuân"),
    ("48", "Thành phố Đà Nẵng", "20194", "Phường Hải Vân"),
    ("48", "Thành phố Đà Nẵng", "20197", "Phường Liên Chiểu"),
    ("79", "Thành phố Hồ Chí Minh", "25747", "Phường Thủ Dầu Một"),
    ("79", "Thành phố Hồ Chí Minh", "25750", "Phường Phú Lợi"),
    ("92", "Thành phố Cần Thơ", "31120", "Phường Cái Khế"),
    ("92", "Thành phố Cần Thơ", "31135", "Phường Ninh Kiều"),
]


class SeedMismatch(Exception):
    """The store already holds a population seeded with other values."""


@dataclass(frozen=True)
class Unit:
    province: str
    province_name: str
    commune: str
    commune_name: str


def load_units() -> tuple[list[Unit], str]:
    """(units, where they came from). Reads the official list when SHARED_DIR has it."""
    folder = Path(settings.SHARED_DIR) / "data" / "admin-units"
    files = sorted(folder.glob("vn_units_*.json")) if folder.is_dir() else []
    if files:
        path = files[-1]
        try:
            provinces = json.loads(path.read_text(encoding="utf-8"))
            units = [
                Unit(p["Code"], p["FullName"], w["Code"], w["FullName"])
                for p in provinces
                for w in p.get("Wards", [])
            ]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: danh mục đơn vị hành chính không đọc được ({exc})") from exc
        if units:
            return units, path.name
    return [Unit(*row) for row in BUILTIN_UNITS], "builtin"


def fold(text: str) -> str:
    """ASCII, lower case, no marks (đ → d): for e-mail local parts."""
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return "".join(c for c in stripped.lower() if c.isalnum())


def normalize_name(name: str) -> str:
    """NFC, outer spaces trimmed and inner runs of spaces collapsed; case and marks are kept."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


@dataclass
class _Person:
    name: str
    family: str
    sex: str
    born: dt.date
    relation: str
    birth_province: str
    key: int = 0
    father: int | None = None
    mother: int | None = None
    spouse: int | None = None
    marital: str = "Chưa kết hôn"
    number: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class _Generator:
    def __init__(self, seed: int, units: list[Unit]) -> None:
        self.rng = random.Random(seed)
        self.units = units
        self.provinces = sorted({u.province for u in units})
        self.numbers: set[str] = set()
        self.next_key = 0

    def person(self, sex: str, age: int, relation: str, family: str | None = None, home: str = "") -> _Person:
        rng = self.rng
        family = family or _weighted(rng, FAMILY_NAMES)
        middle = rng.choice(MIDDLE_MALE if sex == "Nam" else MIDDLE_FEMALE)
        given = rng.choice(GIVEN_MALE if sex == "Nam" else GIVEN_FEMALE)
        born_year = REFERENCE_DATE.year - age
        born = dt.date(born_year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        if born > REFERENCE_DATE:
            born = REFERENCE_DATE - dt.timedelta(days=rng.randrange(1, 180))
        birth_province = home if home and rng.random() < 0.85 else rng.choice(self.provinces)
        self.next_key += 1
        return _Person(
            name=normalize_name(f"{family} {middle} {given}"),
            family=family,
            sex=sex,
            born=born,
            relation=relation,
            birth_province=birth_province,
            key=self.next_key,
        )

    def number_for(self, person: _Person) -> str:
        """Province of birth registration (3 digits), century+sex digit, year, six random digits."""
        century = century_digit(person.born.year, person.sex)
        prefix = f"0{person.birth_province}{century}{person.born.year % 100:02d}"
        while True:
            number = f"{prefix}{self.rng.randrange(10**6):06d}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def household(self) -> tuple[Unit, list[_Person]]:
        rng = self.rng
        unit = rng.choice(self.units)
        head_sex = "Nam" if rng.random() < 0.75 else "Nữ"
        head_age = rng.randint(22, 82)
        head = self.person(head_sex, head_age, "Chủ hộ", home=unit.province)
        members = [head]
        father_family = head.family if head_sex == "Nam" else None
        mother_key = head.key if head_sex == "Nữ" else None
        father_key = head.key if head_sex == "Nam" else None
        if rng.random() < (0.8 if head_age < 70 else 0.55):
            spouse_sex = "Nữ" if head_sex == "Nam" else "Nam"
            spouse_age = max(20, min(90, head_age + rng.randint(-6, 6)))
            spouse = self.person(
                spouse_sex, spouse_age, "Vợ" if spouse_sex == "Nữ" else "Chồng", home=unit.province
            )
            head.spouse, spouse.spouse = spouse.key, head.key
            head.marital = spouse.marital = "Đã kết hôn"
            members.append(spouse)
            if spouse_sex == "Nam":
                father_family, father_key = spouse.family, spouse.key
            else:
                mother_key = spouse.key
        else:
            head.marital = rng.choice(["Chưa kết hôn", "Ly hôn", "Góa"]) if head_age > 30 else "Chưa kết hôn"
        # Children are born when their younger parent was 19–40, so both parents are adults at the birth.
        parent_born = max(p.born for p in members)
        for _ in range(rng.choices([0, 1, 2, 3], weights=[20, 30, 35, 15])[0]):
            child_age = REFERENCE_DATE.year - parent_born.year - rng.randint(19, 40)
            if child_age < 0:
                continue
            child = self.person(
                rng.choice(["Nam", "Nữ"]), child_age, "Con", father_family, home=unit.province
            )
            child.father, child.mother = father_key, mother_key
            members.append(child)
        if head_age < 60 and rng.random() < 0.12:
            parent_sex = rng.choice(["Nam", "Nữ"])
            parent_family = head.family if parent_sex == "Nam" else None
            parent = self.person(
                parent_sex,
                min(100, head_age + rng.randint(20, 35)),
                "Cha" if parent_sex == "Nam" else "Mẹ",
                parent_family,
                home=unit.province,
            )
            parent.marital = "Góa"
            if parent_sex == "Nam":
                head.father = parent.key
            else:
                head.mother = parent.key
            members.append(parent)
        for member in members:
            member.number = self.number_for(member)
            member.extra = self.contact(member)
        return unit, members

    def contact(self, person: _Person) -> dict[str, str]:
        rng = self.rng
        adult = (REFERENCE_DATE - person.born).days >= 14 * 365
        phone = f"0{rng.choice('35789')}{rng.randrange(10**8):08d}" if adult and rng.random() < 0.9 else ""
        given = person.name.split()[-1]
        email = f"{fold(given)}.{fold(person.family)}{rng.randrange(1000)}@example.com" if adult else ""
        if adult and rng.random() < 0.4:
            email = ""
        return {
            "phone": phone,
            "email": email,
            "account": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "level": "2" if rng.random() < 0.9 else "1",
            "ethnic": _weighted(rng, ETHNIC_GROUPS),
        }


def seed_population(size: int, seed: int, *, replace: bool = False) -> int:
    """Make the store hold exactly the population for (size, seed); return how many citizens it holds."""
    units, source = load_units()
    marker = PopulationSeed.objects.order_by("-id").first()
    if marker is not None:
        if (marker.seed, marker.size, marker.units_source) == (seed, size, source):
            return Citizen.objects.count()
        if not replace:
            raise SeedMismatch(
                f"Kho dân cư đã được tạo với seed={marker.seed}, size={marker.size}, "
                f"đơn vị={marker.units_source}; dùng --replace-population để tạo lại."
            )
    generator = _Generator(seed, units)
    people: list[tuple[Unit, str, list[_Person]]] = []
    count = 0
    while count < size:
        unit, members = generator.household()
        members = members[: size - count]
        rng = generator.rng
        detail = (
            f"Số {rng.randint(1, 300)} đường {rng.choice(STREETS)}"
            if unit.commune_name.startswith("Phường")
            else rng.choice(VILLAGES)
        )
        people.append((unit, f"{detail}, {unit.commune_name}, {unit.province_name}", members))
        count += len(members)
    # Ids are assigned here, not by the database, so that family links (spouses point at each other) go in
    # with the rows in one bulk insert; the sequences are moved past them afterwards.
    citizen_id = {p.key: n for n, p in enumerate((p for _u, _a, ms in people for p in ms), start=1)}
    with transaction.atomic(using=DB_ALIAS):
        Citizen.objects.all().delete()
        Household.objects.all().delete()
        PopulationSeed.objects.all().delete()
        Household.objects.bulk_create(
            [
                Household(
                    id=index,
                    ma_ho=f"HK{unit.commune}{index:07d}",
                    ma_tinh=unit.province,
                    ma_xa=unit.commune,
                    dia_chi=address,
                )
                for index, (unit, address, _members) in enumerate(people, start=1)
            ],
            batch_size=500,
        )
        rows = []
        for household_id, (unit, address, members) in enumerate(people, start=1):
            for p in members:
                hometown = next((u for u in generator.units if u.province == p.birth_province), unit)
                rows.append(
                    Citizen(
                        id=citizen_id[p.key],
                        so_dinh_danh=p.number,
                        ho_va_ten=p.name,
                        gioi_tinh=p.sex,
                        ngay_sinh=p.born,
                        dan_toc=p.extra["ethnic"],
                        que_quan=hometown.province_name,
                        ma_tinh=unit.province,
                        ma_xa=unit.commune,
                        dia_chi=address,
                        household_id=household_id,
                        quan_he_chu_ho=p.relation,
                        tinh_trang_hon_nhan=p.marital,
                        so_dien_thoai=p.extra["phone"],
                        email=p.extra["email"],
                        ma_tai_khoan=p.extra["account"],
                        muc_do_dinh_danh=int(p.extra["level"]),
                        cha_id=citizen_id.get(p.father) if p.father else None,
                        me_id=citizen_id.get(p.mother) if p.mother else None,
                        vo_chong_id=citizen_id.get(p.spouse) if p.spouse else None,
                    )
                )
        Citizen.objects.bulk_create(rows, batch_size=500)
        connection = connections[DB_ALIAS]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Household, Citizen]):
                cursor.execute(statement)
        PopulationSeed.objects.create(seed=seed, size=size, units_source=source)
    return Citizen.objects.count()


def find(number: str, name: str, birth: dt.date) -> Citizen | None:
    """A matched query: number, name (exact after NFC, see normalize_name) and birth date all agree."""
    citizen = Citizen.objects.select_related("household").filter(so_dinh_danh=number).first()
    if citizen is None or citizen.ho_va_ten != normalize_name(name) or citizen.ngay_sinh != birth:
        return None
    return citizen


def _person_ref(citizen: Citizen | None) -> dict[str, str] | None:
    return None if citizen is None else {"HoVaTen": citizen.ho_va_ten, "SoDinhDanh": citizen.so_dinh_danh}


def describe(citizen: Citizen) -> dict[str, object]:
    """The CongDan object of contract §6."""
    head = Citizen.objects.filter(household_id=citizen.household_id, quan_he_chu_ho="Chủ hộ").first()
    kin = {
        c.id: c for c in Citizen.objects.filter(id__in=[citizen.cha_id, citizen.me_id, citizen.vo_chong_id])
    }
    address = {"MaTinh": citizen.ma_tinh, "MaXa": citizen.ma_xa, "ChiTiet": citizen.dia_chi}
    return {
        "SoDinhDanh": citizen.so_dinh_danh,
        "HoVaTen": citizen.ho_va_ten,
        "GioiTinh": citizen.gioi_tinh,
        "NgayThangNamSinh": citizen.ngay_sinh.strftime("%Y%m%d"),
        "QuocTich": citizen.quoc_tich,
        "DanToc": citizen.dan_toc,
        "QueQuan": citizen.que_quan,
        "ThuongTru": address,
        # The synthetic population lives where it is registered; a real one may not.
        "NoiOHienTai": dict(address),
        "ChuHo": {
            "HoVaTen": head.ho_va_ten if head else "",
            "SoDinhDanh": head.so_dinh_danh if head else "",
            "QuanHe": citizen.quan_he_chu_ho,
        },
        "Cha": _person_ref(kin.get(citizen.cha_id)) if citizen.cha_id else None,
        "Me": _person_ref(kin.get(citizen.me_id)) if citizen.me_id else None,
        "VoChong": _person_ref(kin.get(citizen.vo_chong_id)) if citizen.vo_chong_id else None,
        "TinhTrangHonNhan": citizen.tinh_trang_hon_nhan,
    }
