"""Online dossiers pushed to the HTTT (contract §3): generation, delivery with retries, the HTTT's answers.

A batch (POST /sim/submit) generates ``count`` dossiers for the given or published procedures, each for a
citizen of the seeded population, and sends each one ``copies`` times (the same MaHoSoQuocGia), optionally
shuffled ("out of order") and from several threads at once, to check that the HTTT creates exactly one
dossier per national code. Threads only talk HTTP; everything is recorded from the calling thread.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from simulators.national_portal import conf, outbound
from simulators.national_portal.models import Citizen, IntakeBatch, IntakePush
from simulators.national_portal.rules import AGENCY_CODE_RE, PROCEDURE_CODE_RE, VN_TZ, format_timestamp
from simulators.national_portal.samplefiles import tiny_pdf, tiny_png

MAX_COUNT = 10_000
MAX_COPIES = 5
MAX_CONCURRENCY = 16
DEFAULT_COMPONENTS = [
    {"MaThanhPhanHoSo": "TP01", "TenThanhPhan": "Tờ khai theo mẫu", "BatBuoc": True},
    {"MaThanhPhanHoSo": "TP02", "TenThanhPhan": "Giấy tờ chứng minh nhân thân", "BatBuoc": True},
]


class IntakeError(Exception):
    def __init__(self, status: int, message: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems or []


@dataclass(frozen=True)
class Options:
    count: int
    copies: int
    shuffle: bool
    concurrency: int
    agency: str | None
    seed: int | None
    procedures: list[Any] | None


def parse_options(body: object) -> Options:
    if not isinstance(body, dict):
        raise IntakeError(400, "Nội dung phải là một đối tượng JSON", [("", "không phải đối tượng")])
    problems: list[tuple[str, str]] = []
    known = {"count", "procedures", "agency", "copies", "shuffle", "concurrency", "seed"}
    problems += [(key, "không phải một tùy chọn đã biết") for key in body if key not in known]

    def whole(key: str, default: int, low: int, high: int) -> int:
        value = body.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems.append((key, f"phải là số nguyên từ {low} đến {high}"))
            return default
        return value

    count = whole("count", 1, 1, MAX_COUNT)
    copies = whole("copies", 1, 1, MAX_COPIES)
    concurrency = whole("concurrency", 1, 1, MAX_CONCURRENCY)
    shuffle = body.get("shuffle", False)
    if not isinstance(shuffle, bool):
        problems.append(("shuffle", "phải là true hoặc false"))
    agency = body.get("agency")
    if agency is not None and (not isinstance(agency, str) or not AGENCY_CODE_RE.match(agency)):
        problems.append(("agency", "mã đơn vị phải theo QCVN 102 hoặc Quyết định 20"))
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        problems.append(("seed", "phải là số nguyên"))
    procedures = body.get("procedures")
    if procedures is not None and (not isinstance(procedures, list) or not procedures):
        problems.append(("procedures", "phải là danh sách mã thủ tục hoặc đối tượng thủ tục"))
    if problems:
        raise IntakeError(400, "Tùy chọn không hợp lệ", problems)
    return Options(count, copies, bool(shuffle), concurrency, agency, seed, procedures)


# --- Procedures -----------------------------------------------------------------------------------


def _normalise_procedure(raw: object, where: str, agency: str | None) -> tuple[dict[str, Any] | None, list]:
    """One procedure in the catalogue shape (docs/simulator.md), or the problems with it."""
    if isinstance(raw, str):
        raw = {"MaTTHC": raw}
    if not isinstance(raw, dict):
        return None, [(where, "phải là mã thủ tục hoặc một đối tượng thủ tục")]
    problems = []
    code = raw.get("MaTTHC")
    if not isinstance(code, str) or not PROCEDURE_CODE_RE.match(code):
        problems.append((f"{where}.MaTTHC", "mã thủ tục phải có dạng d.dddddd"))
    agencies = [a for a in raw.get("CoQuanThucHien") or [] if isinstance(a, dict) and a.get("MaDonVi")]
    if agency:
        agencies = [{"MaDonVi": agency, "TenDonVi": ""}]
    if not agencies:
        problems.append((f"{where}.CoQuanThucHien", "cần ít nhất một cơ quan (hoặc tùy chọn agency)"))
    components = raw.get("ThanhPhanHoSo") or DEFAULT_COMPONENTS
    if not all(isinstance(c, dict) and c.get("MaThanhPhanHoSo") for c in components):
        problems.append((f"{where}.ThanhPhanHoSo", "mỗi thành phần cần MaThanhPhanHoSo"))
    if problems:
        return None, problems
    return {
        "MaTTHC": code,
        "TenTTHC": raw.get("TenTTHC") or f"Thủ tục {code}",
        "MaDVC": raw.get("MaDVC") or "",
        "CoQuanThucHien": agencies,
        "ThanhPhanHoSo": components,
        "TruongBieuMau": [f for f in raw.get("TruongBieuMau") or [] if isinstance(f, dict) and f.get("Ma")],
    }, []


def fetch_catalogue() -> list[Any]:
    outcome = outbound.call("GET", conf.httt_catalogue_url(), headers=outbound.httt_headers(), max_attempts=3)
    if (
        not outcome.ok
        or not isinstance(outcome.body, dict)
        or not isinstance(outcome.body.get("DanhSachTTHC"), list)
    ):
        detail = outcome.error or f"HTTP {outcome.status}: {outcome.text[:200]}"
        raise IntakeError(
            502,
            f"Không lấy được danh mục thủ tục của HTTT tại {conf.httt_catalogue_url()} ({detail})",
            [("procedures", 'không có trong yêu cầu và danh mục HTTT không trả về {"DanhSachTTHC": [...]}')],
        )
    return outcome.body["DanhSachTTHC"]


def resolve_procedures(options: Options) -> list[dict[str, Any]]:
    raw = options.procedures
    if raw is None:
        raw = fetch_catalogue()
    elif all(isinstance(item, str) for item in raw):
        # Codes only: use the HTTT's published details when it can give them, else minimal ones.
        try:
            published = {p.get("MaTTHC"): p for p in fetch_catalogue() if isinstance(p, dict)}
        except IntakeError:
            published = {}
        raw = [published.get(code, code) for code in raw]
    procedures, problems = [], []
    for index, item in enumerate(raw):
        procedure, found = _normalise_procedure(item, f"procedures[{index}]", options.agency)
        problems += found
        if procedure:
            procedures.append(procedure)
    if problems:
        raise IntakeError(400, "Thủ tục không dùng được để sinh hồ sơ", problems)
    if not procedures:
        raise IntakeError(400, "Không có thủ tục nào để sinh hồ sơ", [("procedures", "danh sách rỗng")])
    return procedures


# --- Dossiers -------------------------------------------------------------------------------------


def _person(citizen: Citizen) -> dict[str, Any]:
    return {
        "HoVaTen": citizen.ho_va_ten,
        "SoDinhDanh": citizen.so_dinh_danh,
        "NgaySinh": citizen.ngay_sinh.strftime("%Y%m%d"),
        "SoDienThoai": citizen.so_dien_thoai,
        "Email": citizen.email,
        "DiaChi": citizen.dia_chi,
    }


def _form_value(field: dict[str, Any], citizen: Citizen, rng: random.Random) -> Any:
    kind = str(field.get("Kieu", "")).lower()
    if kind in ("ngay", "date"):
        return (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(365))).strftime("%Y%m%d")
    if kind in ("so", "number", "integer"):
        return rng.randint(1, 100)
    if kind in ("boolean", "bool", "co_khong"):
        return rng.random() < 0.5
    return f"{field.get('Ten') or field['Ma']} — {citizen.ho_va_ten}"


def build_dossier(
    procedure: dict[str, Any], owner: Citizen, agent: Citizen | None, code: str, rng: random.Random, n: int
) -> dict[str, Any]:
    agency = rng.choice(procedure["CoQuanThucHien"])
    delivery = rng.choices([3, 1, 2], weights=[60, 25, 15])[0]
    submitter = agent or owner
    components = []
    for index, component in enumerate(procedure["ThanhPhanHoSo"]):
        if not component.get("BatBuoc", True) and rng.random() < 0.5:
            continue
        name = component.get("TenThanhPhan") or component["MaThanhPhanHoSo"]
        if index % 2 == 0:
            attachment = {"TenTep": f"{component['MaThanhPhanHoSo']}.pdf", "LoaiTep": "application/pdf",
                          "Base64": base64.b64encode(tiny_pdf(f"{name} {code}")).decode()}  # fmt: skip
        else:
            attachment = {"TenTep": f"{component['MaThanhPhanHoSo']}.png", "LoaiTep": "image/png",
                          "Base64": base64.b64encode(tiny_png(n * 7 + index)).decode()}  # fmt: skip
        components.append(
            {
                "MaThanhPhanHoSo": component["MaThanhPhanHoSo"],
                "TenThanhPhan": name,
                "TepDinhKem": [attachment],
                "DuocLayTuKhoDMQG": 0,
                "MaKetQuaThayThe": None,
            }
        )
    form = {f["Ma"]: _form_value(f, owner, rng) for f in procedure["TruongBieuMau"]} or {
        "NoiDungYeuCau": f"Đề nghị giải quyết thủ tục {procedure['TenTTHC']}"
    }
    dossier = {
        "MaHoSoQuocGia": code,
        "MaTTHC": procedure["MaTTHC"],
        "MaDVC": procedure["MaDVC"] or f"{procedure['MaTTHC']}.{agency['MaDonVi']}",
        "MaDonVi": agency["MaDonVi"],
        "KenhThucHien": 2,
        "NgayNopHoSo": format_timestamp(dt.datetime.now(tz=VN_TZ)),
        "TrichYeuHoSo": f"{procedure['TenTTHC']} — {owner.ho_va_ten}"[:1000],
        "ChuHoSo": _person(owner),
        "LoaiDoiTuong": 1,
        "MaDoiTuong": submitter.ma_tai_khoan,
        "TaiKhoanDuocXacThucVoiVNeID": 1 if submitter.muc_do_dinh_danh == 2 else 0,
        "HinhThucNhanKetQua": delivery,
        "DiaChiNhanKetQua": owner.dia_chi if delivery == 2 else "",
        "ThanhPhanHoSo": components,
        "DuLieuBieuMau": form,
    }
    if agent is not None:
        dossier["NguoiNop"] = _person(agent)
    return dossier


def summarise(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with each file's Base64 replaced by its size and hash (kept small in the store)."""
    summary = dict(payload)
    summary["ThanhPhanHoSo"] = [
        {
            **component,
            "TepDinhKem": [
                {
                    "TenTep": f["TenTep"],
                    "LoaiTep": f["LoaiTep"],
                    "bytes": len(base64.b64decode(f["Base64"])),
                    "sha256": hashlib.sha256(base64.b64decode(f["Base64"])).hexdigest(),
                }
                for f in component["TepDinhKem"]
            ],
        }
        for component in payload["ThanhPhanHoSo"]
    ]
    return summary


def _national_code(rng: random.Random, taken: set[str]) -> str:
    day = dt.datetime.now(tz=VN_TZ).strftime("%y%m%d")
    while True:
        code = f"DVCQG-{day}-{rng.randrange(10**10):010d}"
        if code not in taken and not IntakePush.objects.filter(ma_ho_so_quoc_gia=code).exists():
            taken.add(code)
            return code


def submit(body: object) -> dict[str, Any]:
    options = parse_options(body)
    procedures = resolve_procedures(options)
    citizen_ids = list(Citizen.objects.order_by("id").values_list("id", flat=True))
    if not citizen_ids:
        raise IntakeError(409, "Kho dân cư chưa có công dân: khởi động simulator để tạo dữ liệu dân cư")
    rng = random.Random(options.seed)
    batch = IntakeBatch.objects.create(requested=body)
    taken: set[str] = set()
    dossiers = []
    for n in range(options.count):
        owner = Citizen.objects.get(id=rng.choice(citizen_ids))
        agent = Citizen.objects.get(id=rng.choice(citizen_ids)) if rng.random() < 0.15 else None
        if agent is not None and agent.id == owner.id:
            agent = None
        dossiers.append(
            build_dossier(rng.choice(procedures), owner, agent, _national_code(rng, taken), rng, n)
        )
    sends = [(index, copy) for index in range(len(dossiers)) for copy in range(1, options.copies + 1)]
    if options.shuffle:
        rng.shuffle(sends)
    url = f"{conf.httt_url()}{conf.intake_path()}"
    headers = outbound.httt_headers()

    def send(item: tuple[int, int]) -> tuple[int, int, outbound.Outcome, dt.datetime]:
        index, copy = item
        started = timezone.now()
        return index, copy, outbound.call("POST", url, dossiers[index], headers=headers), started

    if options.concurrency > 1:
        with ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix="intake") as pool:
            outcomes = list(pool.map(send, sends))
    else:
        outcomes = [send(item) for item in sends]
    return _record(batch, dossiers, outcomes)


def _record(batch: IntakeBatch, dossiers: list[dict[str, Any]], outcomes: list[Any]) -> dict[str, Any]:
    per_dossier: dict[int, list[dict[str, Any]]] = {i: [] for i in range(len(dossiers))}
    tally = {"created": 0, "repeated": 0, "rejected": 0, "failed": 0}
    rows = []
    for index, copy, outcome, started in outcomes:
        payload = dossiers[index]
        code = outcome.body.get("MaHoSo", "") if isinstance(outcome.body, dict) else ""
        if outcome.status == 201:
            tally["created"] += 1
        elif outcome.status == 200:
            tally["repeated"] += 1
        elif outcome.status is not None and 400 <= outcome.status < 500:
            tally["rejected"] += 1
        else:
            tally["failed"] += 1
        rows.append(
            IntakePush(
                batch=batch,
                ma_ho_so_quoc_gia=payload["MaHoSoQuocGia"],
                copy=copy,
                ma_tthc=payload["MaTTHC"],
                ma_don_vi=payload["MaDonVi"],
                so_dinh_danh=payload["ChuHoSo"]["SoDinhDanh"],
                payload_summary=summarise(payload),
                attempts=outcome.attempts,
                http_status=outcome.status,
                ma_ho_so=str(code)[:100],
                response=outcome.body
                if outcome.body is not None
                else ({"text": outcome.text[:2000]} if outcome.text else None),
                error=outcome.error,
                sent_at=started,
            )
        )
        refused = outcome.status is not None and outcome.status >= 400
        per_dossier[index].append(
            {
                "copy": copy,
                "http_status": outcome.status,
                "MaHoSo": code,
                "attempts": len(outcome.attempts),
                "error": outcome.error,
                "response": outcome.body if refused else None,
            }
        )
    IntakePush.objects.bulk_create(rows)
    batch.finished_at = timezone.now()
    batch.save(update_fields=["finished_at"])
    results = []
    for index, copies in per_dossier.items():
        answered = [c for c in copies if c["http_status"] in (200, 201)]
        results.append(
            {
                "MaHoSoQuocGia": dossiers[index]["MaHoSoQuocGia"],
                "MaTTHC": dossiers[index]["MaTTHC"],
                "MaDonVi": dossiers[index]["MaDonVi"],
                "MaHoSo": answered[0]["MaHoSo"] if answered else "",
                # One dossier in the HTTT: every copy accepted with one and the same code, and at most one
                # "created" (none is possible when the 201 was lost to a timeout and the resend got 200).
                "one_dossier": len(answered) == len(copies)
                and sum(c["http_status"] == 201 for c in copies) <= 1
                and len({c["MaHoSo"] for c in answered}) == 1,
                "copies": sorted(copies, key=lambda c: c["copy"]),
            }
        )
    return {"batch": batch.pk, "sent": len(outcomes), **tally, "dossiers": results}
