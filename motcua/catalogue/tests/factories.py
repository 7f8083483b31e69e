"""Small hand-written records shaped like the national catalogue crawl (not copied from it)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

CHANNELS = (
    "Hình thức nộpThời gianPhí, lệ phíMô tả"
    "Trực tiếp7 Ngày làm việc50,000 VNĐ(Lệ phí cấp mới: 50.000 đồng/giấy)"
    "Trực tuyến5 Ngày làm việcMiễn phí"
)
COMPONENTS = (
    "--Tên giấy tờMẫu đơn, tờ khaiSố lượng"
    "Tờ khai đề nghị cấp giấy phép theo mẫuMẫu 01.docx1 bản chính"
    "Bản sao giấy chứng nhận đăng ký doanh nghiệp0 bản chính,1 bản sao"
)
LEGAL = (
    "Tên văn bản pháp lýMã văn bản"
    "Nghị định quy định điều kiện kinh doanh dịch vụ thử nghiệm12/2030/NĐ-CP"
    "Luật Thử nghiệm 99/2029/QH1599/2029/QH15"
)
RESULTS = (
    "Giấy phép kinh doanh dịch vụ thử nghiệmMã: KQ.G99.000123"
    "Văn bản từ chối cấp giấy phépMã: KQ.G99.000124"
    "Từ khóaKhông có thông tinMô tảKhông có thông tin"
)


def national_record(code: str = "9.000001", **overrides: Any) -> dict[str, Any]:
    record = {
        "ma_thu_tuc": code,
        "detail_url": f"https://example.invalid/thu-tuc/{code}",
        "ten_thu_tuc": "Cấp giấy phép kinh doanh dịch vụ thử nghiệm",
        "so_quyet_dinh": "123/QĐ-BTN",
        "cap_thuc_hien": "Cấp tỉnh, Cấp xã",
        "loai_thu_tuc": "TTHC được luật giao quy định chi tiết",
        "linh_vuc": "Thử nghiệm",
        "doi_tuong_thuc_hien": "Công dân Việt Nam, Tổ chức (không bao gồm doanh nghiệp, HTX)",
        "co_quan_co_tham_quyen": "Sở Thử nghiệm",
        "co_quan_thuc_hien": "Sở Thử nghiệm",
        "co_quan_phoi_hop": "",
        "trinh_tu_thuc_hien": "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
        "cach_thuc_thuc_hien": CHANNELS,
        "thanh_phan_ho_so": COMPONENTS,
        "can_cu_phap_ly": LEGAL,
        "yeu_cau_dieu_kien": "Không có thông tinTừ khóaKhông có thông tin",
        "ket_qua_xu_ly": RESULTS,
        "raw_text": "",
    }
    record.update(overrides)
    return record


def write_jsonl(path: Path, records: list[Any], gz: bool = False) -> Path:
    text = "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
    ).encode("utf-8")
    path.write_bytes(gzip.compress(text) if gz else text)
    return path
