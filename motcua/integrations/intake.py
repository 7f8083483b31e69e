"""Online dossiers pushed by the national portal (contract §3) and the catalogue it generates them from.

``accept(body)`` validates EVERYTHING before writing anything and answers with every problem at once
(``{"loi": [{"truong", "thong_bao"}]}``): procedure, agency, applicant, components, each file (decoded,
size-limited, its type judged by content, readable). Idempotent on ``MaHoSoQuocGia`` through
``commands.submit_online``: the first push creates the dossier (201), every later one — concurrent, late
or out of order — answers 200 with the same ``MaHoSo``. Files are stored (Django storage, with their
SHA-256) only by the push that created the dossier, in the same transaction as the dossier.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from motcua.catalogue.models import Channel as CatalogueChannel
from motcua.catalogue.models import ChannelOption, Procedure, ProcedureVersion
from motcua.dossiers import commands
from motcua.dossiers.errors import DossierError
from motcua.dossiers.identity import id_number_error
from motcua.dossiers.models import Dossier, DossierComponent, IntakeChannel
from motcua.org.models import Agency, ReceptionPoint

from . import files
from .models import IntakeFilePolicy

log = logging.getLogger("motcua.integrations.intake")
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PROCEDURE_RE = re.compile(r"^\d\.\d{6}$")
SUBJECTS = {1: "citizen", 2: "enterprise", 3: "agency", 4: "organisation"}
DELIVERY = {1: "counter", 2: "postal", 3: "online"}
RECEPTION_KIND_ORDER = ["provincial_centre", "commune_centre", "ministry_unit", "branch"]


class IntakeRejected(Exception):
    def __init__(self, status: int, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.status = status
        self.problems = problems

    def body(self) -> dict[str, Any]:
        return {"loi": [{"truong": f, "thong_bao": m} for f, m in self.problems]}


@dataclass
class Attachment:
    component_index: int
    name: str
    kind: str
    data: bytes


@dataclass
class Checked:
    data: dict[str, Any]
    attachments: list[Attachment | None] = field(default_factory=list)  # one per ComponentIn, in order
    version: ProcedureVersion | None = None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{14}", value):
        raise ValueError
    return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=VN)


def _birth_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        for fmt in ("%Y%m%d", "%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                continue
    raise ValueError


def _text(
    body: dict, key: str, problems: list, *, where: str = "", required: bool = False, limit: int = 255
) -> str:
    value = body.get(key)
    name = f"{where}{key}"
    if value is None or value == "":
        if required:
            problems.append((name, "Thiếu thông tin bắt buộc."))
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        problems.append((name, "Phải là chuỗi ký tự."))
        return ""
    value = value.strip()
    if len(value) > limit:
        problems.append((name, f"Dài quá {limit} ký tự."))
        return value[:limit]
    return value


def _choice(
    body: dict, key: str, allowed: set[int], problems: list, default: int | None = None
) -> int | None:
    value = body.get(key, default)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if value is None and default is None:
        problems.append((key, "Thiếu thông tin bắt buộc."))
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        problems.append(
            (key, f"Giá trị {value!r} không hợp lệ (chỉ nhận {', '.join(map(str, sorted(allowed)))}).")
        )
        return None
    return value


def reception_point_for(agency: Agency) -> ReceptionPoint | None:
    """Where an online dossier for `agency` waits: its own one-stop, else the nearest centre above it."""
    for level in agency.ancestors_and_self():
        own = ReceptionPoint.objects.filter(is_active=True, agency=level).order_by("id").first()
        if own is not None:
            return own
        below = list(ReceptionPoint.objects.filter(is_active=True, agency__parent=level).order_by("id"))
        if below:
            below.sort(
                key=lambda rp: RECEPTION_KIND_ORDER.index(rp.kind) if rp.kind in RECEPTION_KIND_ORDER else 9
            )
            return below[0]
    return None


def component_code(component) -> str:
    """MaThanhPhanHoSo of a catalogue component: its code, else its id (as the national view sends it)."""
    return component.code or str(component.pk)


def competent_agencies(version: ProcedureVersion) -> list[Agency]:
    if version.competent_agency is not None:
        return [version.competent_agency]
    if version.competent_agency_kind:
        return list(Agency.objects.filter(kind=version.competent_agency_kind).order_by("code")[:500])
    return []


def _is_competent(version: ProcedureVersion, agency: Agency) -> bool:
    if version.competent_agency is not None:
        return version.competent_agency_id in {a.pk for a in agency.ancestors_and_self()}
    if version.competent_agency_kind:
        return agency.kind == version.competent_agency_kind
    return True


def check(body: Any) -> Checked:
    if not isinstance(body, dict):
        raise IntakeRejected(400, [("(nội dung)", "Nội dung phải là một đối tượng JSON.")])
    problems: list[tuple[str, str]] = []
    national_id = _text(body, "MaHoSoQuocGia", problems, required=True, limit=60)
    code = _text(body, "MaTTHC", problems, required=True, limit=8)
    agency_code = _text(body, "MaDonVi", problems, required=True, limit=40)
    summary = _text(body, "TrichYeuHoSo", problems, limit=1000)

    version = None
    if code and not PROCEDURE_RE.match(code):
        problems.append(("MaTTHC", f"Mã thủ tục {code!r} không đúng dạng d.dddddd."))
    elif code:
        procedure = Procedure.objects.filter(code=code).first()
        version = procedure.published_version() if procedure else None
        if procedure is None:
            problems.append(("MaTTHC", f"Không có thủ tục mã {code} trong danh mục của hệ thống."))
        elif version is None:
            problems.append(("MaTTHC", f"Thủ tục {code} chưa có phiên bản được công bố."))
        elif not ChannelOption.objects.filter(version=version, channel=CatalogueChannel.ONLINE).exists():
            problems.append(("MaTTHC", f"Thủ tục {code} không được cung cấp trực tuyến."))
            version = None
    agency = Agency.objects.filter(code=agency_code).first() if agency_code else None
    reception = None
    if agency_code and agency is None:
        problems.append(("MaDonVi", f"Không có cơ quan mã {agency_code}."))
    elif agency is not None:
        if version is not None and not _is_competent(version, agency):
            problems.append(("MaDonVi", f"{agency.name} không có thẩm quyền giải quyết thủ tục {code}."))
        reception = reception_point_for(agency)
        if reception is None:
            problems.append(("MaDonVi", f"{agency.name} chưa có bộ phận tiếp nhận để nhận hồ sơ trực tuyến."))

    vneid_code = settings.MOTCUA_VNEID_CHANNEL_CODE
    channel_code = _choice(body, "KenhThucHien", {2, vneid_code}, problems, default=2)
    submitted_at = None
    if body.get("NgayNopHoSo") not in (None, ""):
        try:
            submitted_at = _timestamp(body["NgayNopHoSo"])
        except ValueError:
            problems.append(("NgayNopHoSo", "Phải có dạng yyyyMMddHHmmss và là thời điểm có thật."))
    subject = _choice(body, "LoaiDoiTuong", set(SUBJECTS), problems, default=1)
    delivery = _choice(body, "HinhThucNhanKetQua", set(DELIVERY), problems, default=3)
    verified = _choice(body, "TaiKhoanDuocXacThucVoiVNeID", {0, 1}, problems, default=0)
    account = _text(body, "MaDoiTuong", problems, limit=60)
    delivery_address = _text(body, "DiaChiNhanKetQua", problems, limit=500)
    if delivery == 2 and not delivery_address:
        problems.append(("DiaChiNhanKetQua", "Cần địa chỉ khi nhận kết quả qua bưu chính."))

    applicant: dict[str, Any] = {}
    owner = body.get("ChuHoSo")
    if not isinstance(owner, dict):
        problems.append(("ChuHoSo", "Thiếu thông tin chủ hồ sơ (một đối tượng)."))
    else:
        name = _text(owner, "HoVaTen", problems, where="ChuHoSo.", required=True)
        number = _text(owner, "SoDinhDanh", problems, where="ChuHoSo.", required=True, limit=20)
        id_kind = "tax_code" if subject == 2 else ("legacy_card" if len(number) == 9 else "personal")
        if number and (error := id_number_error(id_kind, number)):
            problems.append(("ChuHoSo.SoDinhDanh", error))
        try:
            birth = _birth_date(owner.get("NgaySinh"))
        except ValueError:
            problems.append(("ChuHoSo.NgaySinh", "Ngày sinh phải có dạng yyyyMMdd."))
            birth = None
        email = _text(owner, "Email", problems, where="ChuHoSo.", limit=254)
        if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            problems.append(("ChuHoSo.Email", "Địa chỉ thư điện tử không hợp lệ."))
        applicant = {
            "name": name,
            "id_kind": id_kind,
            "id_number": number,
            "birth_date": birth,
            "address": _text(owner, "DiaChi", problems, where="ChuHoSo.", limit=500),
            "phone": _text(owner, "SoDienThoai", problems, where="ChuHoSo.", limit=20),
            "email": email,
            "account_id": account,
            "subject_type": SUBJECTS.get(subject or 1, "citizen"),
            "vneid_verified": verified == 1,
        }
    delegate = None
    submitter = body.get("NguoiNop")
    if submitter not in (None, {}):
        if not isinstance(submitter, dict):
            problems.append(("NguoiNop", "Phải là một đối tượng."))
        else:
            d_name = _text(submitter, "HoVaTen", problems, where="NguoiNop.", required=True)
            d_number = _text(submitter, "SoDinhDanh", problems, where="NguoiNop.", required=True, limit=20)
            if d_number and (error := id_number_error("personal", d_number)):
                problems.append(("NguoiNop.SoDinhDanh", error))
            delegate = {
                "name": d_name,
                "id_number": d_number,
                "phone": _text(submitter, "SoDienThoai", problems, where="NguoiNop.", limit=20),
            }
            if owner and isinstance(owner, dict) and d_number and d_number == owner.get("SoDinhDanh"):
                delegate = None  # the owner submitting for themself is not an authorised person

    form = body.get("DuLieuBieuMau", {})
    if form in (None, ""):
        form = {}
    if not isinstance(form, dict):
        problems.append(("DuLieuBieuMau", "Phải là một đối tượng."))
        form = {}

    components, attachments = _check_components(body.get("ThanhPhanHoSo"), version, problems)

    if problems:
        raise IntakeRejected(422, problems)
    assert version is not None and agency is not None and reception is not None
    data = {
        "national_dossier_id": national_id,
        "procedure_code": code,
        "reception_point_id": reception.pk,
        "channel": IntakeChannel.VNEID if channel_code == vneid_code != 2 else IntakeChannel.NATIONAL_PORTAL,
        "competent_agency_code": agency.code,
        "result_delivery": DELIVERY[delivery or 3],
        "delivery_address": delivery_address,
        "applicant": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in applicant.items()},
        "delegate": delegate,
        "summary": summary or None,
        "components": components,
        "form_data": form,
        "submitted_at": (submitted_at or timezone.now()).isoformat(),
    }
    return Checked(data, attachments, version)


def _check_components(raw: Any, version: ProcedureVersion | None, problems: list) -> tuple[list, list]:
    components: list[dict[str, Any]] = []
    attachments: list[Attachment | None] = []
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        problems.append(("ThanhPhanHoSo", "Phải là một danh sách."))
        return components, attachments
    catalogue = {component_code(c): c for c in version.components.all()} if version else {}
    policy = IntakeFilePolicy.objects.filter(procedure_id=version.procedure_id).first() if version else None
    kinds = files.allowed_kinds(policy.extra_types if policy else None)
    max_mb = (
        policy.max_file_mb if policy and policy.max_file_mb else None
    ) or settings.MOTCUA_INTAKE_MAX_FILE_MB
    max_bytes = max_mb * 1024 * 1024
    provided: set[str] = set()
    for i, item in enumerate(raw):
        where = f"ThanhPhanHoSo[{i}]"
        if not isinstance(item, dict):
            problems.append((where, "Phải là một đối tượng."))
            continue
        key = _text(item, "MaThanhPhanHoSo", problems, where=f"{where}.", required=True, limit=50)
        source = catalogue.get(key)
        if key and version is not None and source is None:
            problems.append(
                (
                    f"{where}.MaThanhPhanHoSo",
                    f"Thành phần {key!r} không thuộc thủ tục {version.procedure.code}.",
                )
            )
        title = _text(item, "TenThanhPhan", problems, where=f"{where}.", limit=2000)
        from_store = item.get("DuocLayTuKhoDMQG") in (1, "1", True)
        replacing = _text(item, "MaKetQuaThayThe", problems, where=f"{where}.", limit=20)
        base = {
            "component_id": source.pk if source else None,
            "name": title or (source.name if source else key) or None,
            "from_national_store": from_store,
            "replacing_result_code": replacing,
        }
        uploads = item.get("TepDinhKem") or []
        if not isinstance(uploads, list):
            problems.append((f"{where}.TepDinhKem", "Phải là một danh sách tệp."))
            uploads = []
        if not uploads and not (from_store or replacing):
            problems.append((f"{where}.TepDinhKem", "Thành phần không có tệp đính kèm."))
        good = 0
        for j, upload in enumerate(uploads):
            at = f"{where}.TepDinhKem[{j}]"
            attachment = _check_file(upload, at, kinds, max_bytes, max_mb, i, problems)
            if attachment is None:
                continue
            good += 1
            components.append({**base, "file_name": attachment.name[:255]})
            attachments.append(attachment)
        if not uploads and (from_store or replacing):
            components.append(base)
            attachments.append(None)
            good += 1
        if good and key:
            provided.add(key)
    if version is not None:
        for c in version.components.all():
            if c.required and component_code(c) not in provided:
                problems.append(
                    ("ThanhPhanHoSo", f"Thiếu thành phần bắt buộc {component_code(c)}: {c.name[:120]}.")
                )
    if len(components) > 100:
        problems.append(("ThanhPhanHoSo", "Quá 100 tệp trong một hồ sơ."))
    return components, attachments


def _check_file(
    upload: Any, at: str, kinds, max_bytes: int, max_mb: int, index: int, problems: list
) -> Attachment | None:
    if not isinstance(upload, dict):
        problems.append((at, "Phải là một đối tượng {TenTep, LoaiTep, Base64}."))
        return None
    name = _text(upload, "TenTep", problems, where=f"{at}.", required=True)
    encoded = upload.get("Base64")
    if not isinstance(encoded, str) or not encoded:
        problems.append((f"{at}.Base64", "Thiếu nội dung tệp."))
        return None
    if len(encoded) > (max_bytes * 4) // 3 + 8:
        problems.append((f"{at}.Base64", f"Tệp {name!r} lớn hơn giới hạn {max_mb} MB."))
        return None
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        problems.append((f"{at}.Base64", f"Tệp {name!r} không phải Base64 hợp lệ."))
        return None
    if not data:
        problems.append((f"{at}.Base64", f"Tệp {name!r} rỗng."))
        return None
    if len(data) > max_bytes:
        problems.append((f"{at}.Base64", f"Tệp {name!r} lớn hơn giới hạn {max_mb} MB."))
        return None
    kind = files.sniff(data)
    if kind is None or kind not in kinds:
        what = f"loại {kind.upper()}" if kind else "không nhận dạng được loại tệp"
        problems.append(
            (
                f"{at}.Base64",
                f"Tệp {name!r}: {what} (theo nội dung); thủ tục này chỉ nhận {files.describe(kinds)}.",
            )
        )
        return None
    if reason := files.unreadable(kind, data):
        problems.append((f"{at}.Base64", f"Tệp {name!r}: {reason}."))
        return None
    return Attachment(index, name or f"tep.{files.EXTENSIONS.get(kind, kind)}", kind, data)


def accept(body: Any) -> tuple[Dossier, bool]:
    """(dossier, created). Raises IntakeRejected with every problem."""
    if isinstance(body, dict) and isinstance(body.get("MaHoSoQuocGia"), str):
        existing = Dossier.objects.filter(national_dossier_id=body["MaHoSoQuocGia"].strip()).first()
        if existing is not None:
            return existing, False
    checked = check(body)
    try:
        with transaction.atomic():
            dossier, created = commands.submit_online(checked.data)
            if created:
                _store_files(dossier, checked.attachments)
    except DossierError as exc:
        problems = [(d.get("field", "(hồ sơ)"), d.get("message", exc.message)) for d in exc.details] or [
            ("(hồ sơ)", exc.message)
        ]
        raise IntakeRejected(422, problems) from None
    if created and checked.version is not None and checked.version.auto_receive_online:
        try:
            dossier = commands.execute(dossier.code, "receive", None, {"note": "Tiếp nhận tự động"})
        except DossierError as exc:
            log.warning("Không tự động tiếp nhận được hồ sơ %s: %s", dossier.code, exc.message)
    return dossier, created


def _store_files(dossier: Dossier, attachments: list[Attachment | None]) -> None:
    rows = list(DossierComponent.objects.filter(dossier=dossier).order_by("id"))
    if len(rows) != len(attachments):  # pragma: no cover - submit_online saves one row per component given
        raise RuntimeError("component rows and attachments do not line up")
    stamp = timezone.localtime(dossier.submitted_at or timezone.now())
    for row, attachment in zip(rows, attachments, strict=True):
        if attachment is None:
            continue
        safe = get_valid_filename(attachment.name) or f"tep.{attachment.kind}"
        path = default_storage.save(
            f"dossiers/{stamp:%Y/%m}/{get_valid_filename(dossier.code)}/{row.pk}-{safe}",
            ContentFile(attachment.data),
        )
        DossierComponent.objects.filter(pk=row.pk).update(
            file=path,
            file_sha256=hashlib.sha256(attachment.data).hexdigest(),
            file_name=attachment.name[:255],
        )


def published_procedures() -> list[dict[str, Any]]:
    """The catalogue the portal generates online dossiers from (docs/simulator.md, "Catalogue")."""
    versions = (
        ProcedureVersion.objects.filter(
            status=ProcedureVersion.Status.PUBLISHED, channels__channel=CatalogueChannel.ONLINE
        )
        .select_related("procedure", "competent_agency")
        .prefetch_related("components")
        .order_by("procedure__code")
        .distinct()
    )
    result = []
    for version in versions:
        agencies = [a for a in competent_agencies(version) if reception_point_for(a) is not None]
        if not agencies:
            continue
        code = version.procedure.code
        result.append(
            {
                "MaTTHC": code,
                "TenTTHC": version.name,
                "MaDVC": f"{code}.{agencies[0].code}",
                "CoQuanThucHien": [{"MaDonVi": a.code, "TenDonVi": a.name} for a in agencies],
                "ThanhPhanHoSo": [
                    {
                        "MaThanhPhanHoSo": component_code(c),
                        "TenThanhPhan": c.name[:500],
                        "BatBuoc": c.required,
                    }
                    for c in version.components.all()
                ],
                "TruongBieuMau": [],
            }
        )
    return result
