"""About thirty common procedures for the demo province, typed from public knowledge of the 2025–2026 rules.

These are demo records, not the national catalogue: codes are in a range the national database does not use
(``9.99xxxx``) and result codes in the demo province's group (``KQ.H99.xxxxxx``), so importing the real
catalogue into a demo database never collides with them. Durations and fees are typical values, not legal
advice; the real ones come from ``motcua import-procedures``.

Each procedure gets one published version. A changed definition here publishes a new version on the next
``motcua demo`` (the old one is retired); an unchanged one is left alone. A procedure whose published version
did not come from the demo (an administrator imported or typed it) is never touched.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from motcua.catalogue.models import (
    Channel,
    ChannelOption,
    Component,
    Fee,
    Field,
    LegalBasis,
    Level,
    Procedure,
    ProcedureVersion,
    ResultDocument,
    Subject,
)
from motcua.deadlines.units import DurationUnit as U
from motcua.org.models import Agency

from .base import DEMO_SOURCE, DemoContext, ensure

F = Component.Form
ONLINE = ProcedureVersion.OnlineLevel


@dataclass(frozen=True)
class Comp:
    name: str
    form: str = F.ORIGINAL
    originals: int = 1
    copies: int = 0
    required: bool = True
    condition: str = ""
    template: str = ""
    by_data: str = ""  # national database that replaces the paper ("" = none)


@dataclass(frozen=True)
class FeeSpec:
    name: str
    amount: int  # đồng; 0 = free, with the reason in note
    note: str = ""


@dataclass(frozen=True)
class Chan:
    channel: str
    value: str | None  # decimal text; None for same-day / no limit
    unit: str
    fees: tuple[FeeSpec, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Proc:
    code: str
    name: str
    field: str  # key of FIELDS
    levels: tuple[str, ...]
    agency: str  # demo agency key, or "kind:<Agency.Kind>" when any agency of that kind decides
    agency_text: str
    components: tuple[Comp, ...]
    channels: tuple[Chan, ...]
    results: tuple[tuple[str, str], ...]  # (name, KQ code)
    legal: tuple[tuple[str, str], ...]  # (number, title)
    subjects: tuple[str, ...] = (Subject.CITIZEN,)
    online: str = ONLINE.FULL
    partial_reason: str = ""
    steps: str = ""
    conditions: str = ""
    coordinating: str = ""


FIELDS = {
    "HT": "Hộ tịch",
    "CT": "Chứng thực",
    "LLTP": "Lý lịch tư pháp",
    "CTRU": "Đăng ký, quản lý cư trú",
    "HKD": "Thành lập và hoạt động của hộ kinh doanh",
    "DKDN": "Thành lập và hoạt động của doanh nghiệp",
    "XD": "Hoạt động xây dựng",
    "DD": "Đất đai",
    "MT": "Môi trường",
    "BTXH": "Bảo trợ xã hội",
    "DB": "Đường bộ",
}

# Frequently cited instruments (number, title).
HO_TICH = (
    ("60/2014/QH13", "Luật Hộ tịch"),
    ("123/2015/NĐ-CP", "Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch"),
    ("04/2020/TT-BTP", "Thông tư quy định chi tiết thi hành Luật Hộ tịch và Nghị định 123/2015/NĐ-CP"),
)
CHUNG_THUC = (
    (
        "23/2015/NĐ-CP",
        "Nghị định về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, chứng thực chữ ký",
    ),
    ("01/2020/TT-BTP", "Thông tư quy định chi tiết và hướng dẫn thi hành Nghị định 23/2015/NĐ-CP"),
)
CU_TRU = (
    ("68/2020/QH14", "Luật Cư trú"),
    ("154/2024/NĐ-CP", "Nghị định quy định chi tiết một số điều của Luật Cư trú"),
)
DOANH_NGHIEP = (
    ("59/2020/QH14", "Luật Doanh nghiệp"),
    ("168/2025/NĐ-CP", "Nghị định về đăng ký doanh nghiệp"),
)
XAY_DUNG = (
    ("50/2014/QH13", "Luật Xây dựng"),
    ("62/2020/QH14", "Luật sửa đổi, bổ sung một số điều của Luật Xây dựng"),
    ("175/2024/NĐ-CP", "Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Xây dựng"),
)
DAT_DAI = (
    ("31/2024/QH15", "Luật Đất đai"),
    ("101/2024/NĐ-CP", "Nghị định quy định về điều tra cơ bản đất đai; đăng ký, cấp Giấy chứng nhận"),
)

IN_PERSON, ONLINE_CH, POSTAL = Channel.IN_PERSON, Channel.ONLINE, Channel.POSTAL
FREE = FeeSpec("Lệ phí", 0, "Miễn lệ phí")


def same_day(fees=(FREE,), online_fees=None) -> tuple[Chan, ...]:
    """Same-day procedures: received before the cut-off → result at closing (rules.md §4)."""
    online = online_fees if online_fees is not None else fees
    return (
        Chan(IN_PERSON, None, U.SAME_DAY, tuple(fees)),
        Chan(ONLINE_CH, None, U.SAME_DAY, tuple(online)),
        Chan(POSTAL, None, U.SAME_DAY, tuple(fees)),
    )


def days(value, fees=(FREE,), online_value=None, online_fees=None, unit=U.WORKING_DAYS) -> tuple[Chan, ...]:
    """Same duration for the counter and the post; online may be shorter and cheaper."""
    return (
        Chan(IN_PERSON, str(value), unit, tuple(fees)),
        Chan(
            ONLINE_CH,
            str(online_value or value),
            unit,
            tuple(online_fees if online_fees is not None else fees),
        ),
        Chan(POSTAL, str(value), unit, tuple(fees)),
    )


COMMUNE = "kind:" + Agency.Kind.COMMUNE
COMMUNE_POLICE = "kind:" + Agency.Kind.VERTICAL
TO_KHAI = "Tờ khai theo mẫu"
CCCD = Comp("Thẻ căn cước hoặc giấy tờ tùy thân có ảnh", F.ORIGINAL, 1, 0, by_data="CSDL quốc gia về dân cư")

PROCEDURES: tuple[Proc, ...] = (
    # --- Hộ tịch (commune) -----------------------------------------------------------------------------
    Proc(
        "9.990001",
        "Đăng ký khai sinh",
        "HT",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (
            Comp("Tờ khai đăng ký khai sinh", template="Mẫu tờ khai đăng ký khai sinh"),
            Comp("Giấy chứng sinh hoặc văn bản làm chứng về việc sinh", F.ORIGINAL, 1, 0),
            Comp(
                "Văn bản ủy quyền",
                F.ORIGINAL,
                1,
                0,
                required=False,
                condition="Trường hợp ủy quyền đăng ký khai sinh",
            ),
        ),
        same_day(),
        (("Giấy khai sinh (bản chính)", "KQ.H99.000101"),),
        HO_TICH,
        steps="Nộp tờ khai và giấy chứng sinh; công chức tư pháp - hộ tịch kiểm tra, ghi sổ và trình "
        "Chủ tịch UBND cấp xã ký Giấy khai sinh.",
    ),
    Proc(
        "9.990002",
        "Đăng ký kết hôn",
        "HT",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (
            Comp("Tờ khai đăng ký kết hôn", template="Mẫu tờ khai đăng ký kết hôn"),
            Comp(
                "Giấy xác nhận tình trạng hôn nhân",
                required=False,
                condition="Người yêu cầu không thường trú tại xã nơi đăng ký",
                by_data="CSDL hộ tịch điện tử",
            ),
            CCCD,
        ),
        same_day(),
        (("Giấy chứng nhận kết hôn", "KQ.H99.000102"),),
        HO_TICH,
        online=ONLINE.PARTIAL,
        partial_reason="Hai bên nam, nữ phải có mặt khi trao Giấy chứng nhận kết hôn.",
        conditions="Nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi; tự nguyện; không thuộc trường hợp cấm kết hôn.",
    ),
    Proc(
        "9.990003",
        "Đăng ký khai tử",
        "HT",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (
            Comp("Tờ khai đăng ký khai tử", template="Mẫu tờ khai đăng ký khai tử"),
            Comp("Giấy báo tử hoặc giấy tờ thay giấy báo tử"),
        ),
        same_day(),
        (("Trích lục khai tử (bản chính)", "KQ.H99.000103"),),
        HO_TICH,
    ),
    Proc(
        "9.990004",
        "Cấp bản sao trích lục hộ tịch",
        "HT",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (Comp("Tờ khai cấp bản sao trích lục hộ tịch", template="Mẫu tờ khai cấp bản sao trích lục"),),
        same_day(
            fees=(FeeSpec("Phí cấp bản sao trích lục", 8000, "8.000 đồng/bản sao"),),
            online_fees=(FeeSpec("Phí cấp bản sao trích lục", 4000, "Giảm 50% khi nộp trực tuyến"),),
        ),
        (("Bản sao trích lục hộ tịch", "KQ.H99.000104"),),
        HO_TICH,
    ),
    Proc(
        "9.990005",
        "Cấp Giấy xác nhận tình trạng hôn nhân",
        "HT",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (
            Comp("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", template="Mẫu tờ khai xác nhận TTHN"),
            Comp(
                "Giấy tờ chứng minh đã ly hôn hoặc người kia đã chết",
                F.COPY,
                0,
                1,
                required=False,
                condition="Người đã có vợ/chồng nhưng đã ly hôn hoặc người kia đã chết",
            ),
        ),
        days(3, fees=(FeeSpec("Lệ phí", 15000),), online_fees=(FeeSpec("Lệ phí", 7000, "Nộp trực tuyến"),)),
        (("Giấy xác nhận tình trạng hôn nhân", "KQ.H99.000105"),),
        HO_TICH,
    ),
    Proc(
        "9.990006",
        "Đăng ký nhận cha, mẹ, con",
        "HT",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (
            Comp("Tờ khai đăng ký nhận cha, mẹ, con", template="Mẫu tờ khai nhận cha, mẹ, con"),
            Comp("Văn bản hoặc chứng cứ chứng minh quan hệ cha, mẹ, con"),
        ),
        days(3, fees=(FeeSpec("Lệ phí", 15000),)),
        (("Trích lục đăng ký nhận cha, mẹ, con", "KQ.H99.000106"),),
        HO_TICH,
        online=ONLINE.PARTIAL,
        partial_reason="Các bên phải có mặt khi đăng ký.",
    ),
    Proc(
        "9.990007",
        "Thay đổi, cải chính, bổ sung thông tin hộ tịch",
        "HT",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (
            Comp("Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", template="Mẫu tờ khai"),
            Comp("Giấy tờ liên quan làm căn cứ cải chính, bổ sung", F.COPY, 0, 1),
        ),
        days(3, fees=(FeeSpec("Lệ phí", 15000),), online_fees=(FeeSpec("Lệ phí", 7000),)),
        (("Trích lục thay đổi, cải chính, bổ sung hộ tịch", "KQ.H99.000107"),),
        HO_TICH,
    ),
    Proc(
        "9.990008",
        "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "HT",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (
            Comp("Tờ khai liên thông", template="Mẫu tờ khai liên thông khai sinh - thường trú - BHYT"),
            Comp("Giấy chứng sinh"),
        ),
        days(3, online_value=2),
        (
            ("Giấy khai sinh (bản chính)", "KQ.H99.000101"),
            ("Thông báo kết quả đăng ký thường trú", "KQ.H99.000201"),
            ("Thẻ bảo hiểm y tế", "KQ.H99.000108"),
        ),
        HO_TICH + CU_TRU,
        coordinating="Công an cấp xã; Bảo hiểm xã hội",
    ),
    # --- Chứng thực (commune) --------------------------------------------------------------------------
    Proc(
        "9.990011",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "CT",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (Comp("Bản chính giấy tờ, văn bản cần chứng thực"), Comp("Bản sao cần chứng thực", F.COPY, 0, 1)),
        (
            Chan(
                IN_PERSON,
                None,
                U.SAME_DAY,
                (
                    FeeSpec(
                        "Phí chứng thực bản sao", 2000, "2.000 đồng/trang; từ trang thứ ba 1.000 đồng/trang"
                    ),
                ),
            ),
        ),
        (("Bản sao có chứng thực", "KQ.H99.000111"),),
        CHUNG_THUC,
        online=ONLINE.NONE,
        partial_reason="Người yêu cầu phải xuất trình bản chính.",
    ),
    Proc(
        "9.990012",
        "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "CT",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (CCCD, Comp("Giấy tờ, văn bản cần chứng thực chữ ký")),
        (
            Chan(
                IN_PERSON,
                None,
                U.SAME_DAY,
                (FeeSpec("Phí chứng thực chữ ký", 10000, "10.000 đồng/trường hợp"),),
            ),
        ),
        (("Giấy tờ, văn bản được chứng thực chữ ký", "KQ.H99.000112"),),
        CHUNG_THUC,
        online=ONLINE.NONE,
        partial_reason="Người yêu cầu phải ký trước mặt người thực hiện chứng thực.",
    ),
    Proc(
        "9.990013",
        "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
        "CT",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (
            Comp("Dự thảo hợp đồng, giao dịch"),
            CCCD,
            Comp("Giấy tờ chứng minh quyền sở hữu tài sản", F.COPY, 0, 1),
        ),
        (Chan(IN_PERSON, "2", U.WORKING_DAYS, (FeeSpec("Phí chứng thực hợp đồng", 50000),)),),
        (("Hợp đồng, giao dịch được chứng thực", "KQ.H99.000113"),),
        CHUNG_THUC,
        online=ONLINE.NONE,
        partial_reason="Các bên phải ký trước mặt người thực hiện chứng thực.",
    ),
    # --- Lý lịch tư pháp (province) --------------------------------------------------------------------
    Proc(
        "9.990021",
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "LLTP",
        (Level.PROVINCE,),
        "justice",
        "Sở Tư pháp",
        (
            Comp("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", template="Mẫu số 03/2013/TT-LLTP"),
            CCCD,
        ),
        days(
            10,
            fees=(FeeSpec("Phí cung cấp thông tin lý lịch tư pháp", 200000),),
            online_fees=(
                FeeSpec("Phí cung cấp thông tin lý lịch tư pháp", 100000, "Giảm 50% khi nộp trực tuyến"),
            ),
        ),
        (("Phiếu lý lịch tư pháp số 1", "KQ.H99.000211"), ("Phiếu lý lịch tư pháp số 2", "KQ.H99.000212")),
        (
            ("28/2009/QH12", "Luật Lý lịch tư pháp"),
            ("111/2010/NĐ-CP", "Nghị định hướng dẫn Luật Lý lịch tư pháp"),
        ),
        coordinating="Công an tỉnh",
    ),
    # --- Cư trú (commune police) -----------------------------------------------------------------------
    Proc(
        "9.990031",
        "Đăng ký thường trú",
        "CTRU",
        (Level.COMMUNE,),
        COMMUNE_POLICE,
        "Công an cấp xã",
        (
            Comp("Tờ khai thay đổi thông tin cư trú", template="Mẫu CT01"),
            Comp("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", F.COPY, 0, 1, by_data="CSDL đất đai"),
        ),
        days(
            7,
            fees=(FeeSpec("Lệ phí đăng ký cư trú", 20000),),
            online_value=5,
            online_fees=(FeeSpec("Lệ phí đăng ký cư trú", 10000, "Nộp trực tuyến"),),
        ),
        (("Thông báo kết quả đăng ký thường trú", "KQ.H99.000201"),),
        CU_TRU,
    ),
    Proc(
        "9.990032",
        "Đăng ký tạm trú",
        "CTRU",
        (Level.COMMUNE,),
        COMMUNE_POLICE,
        "Công an cấp xã",
        (
            Comp("Tờ khai thay đổi thông tin cư trú", template="Mẫu CT01"),
            Comp("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", F.COPY, 0, 1),
        ),
        days(
            3,
            fees=(FeeSpec("Lệ phí đăng ký cư trú", 15000),),
            online_fees=(FeeSpec("Lệ phí đăng ký cư trú", 7000, "Nộp trực tuyến"),),
        ),
        (("Thông báo kết quả đăng ký tạm trú", "KQ.H99.000202"),),
        CU_TRU,
    ),
    Proc(
        "9.990033",
        "Xóa đăng ký thường trú",
        "CTRU",
        (Level.COMMUNE,),
        COMMUNE_POLICE,
        "Công an cấp xã",
        (Comp("Tờ khai thay đổi thông tin cư trú", template="Mẫu CT01"),),
        days(1),
        (("Thông báo kết quả xóa đăng ký thường trú", "KQ.H99.000203"),),
        CU_TRU,
    ),
    Proc(
        "9.990034",
        "Xác nhận thông tin về cư trú",
        "CTRU",
        (Level.COMMUNE,),
        COMMUNE_POLICE,
        "Công an cấp xã",
        (Comp("Tờ khai thay đổi thông tin cư trú", template="Mẫu CT01"),),
        days(1, unit=U.WORKING_DAYS),
        (("Giấy xác nhận thông tin về cư trú", "KQ.H99.000204"),),
        CU_TRU,
    ),
    Proc(
        "9.990035",
        "Đổi giấy phép lái xe do ngành Công an cấp",
        "DB",
        (Level.PROVINCE,),
        "police.traffic",
        "Phòng Cảnh sát giao thông, Công an tỉnh",
        (
            Comp("Đơn đề nghị đổi giấy phép lái xe", template="Mẫu đơn đề nghị đổi GPLX"),
            Comp(
                "Giấy khám sức khỏe của người lái xe",
                required=False,
                condition="Đổi giấy phép hạng có thời hạn",
            ),
        ),
        days(
            5,
            fees=(FeeSpec("Lệ phí cấp giấy phép lái xe", 135000),),
            online_fees=(FeeSpec("Lệ phí cấp giấy phép lái xe", 115000, "Nộp trực tuyến"),),
        ),
        (("Giấy phép lái xe", "KQ.H99.000205"),),
        (("36/2024/QH15", "Luật Trật tự, an toàn giao thông đường bộ"),),
    ),
    # --- Hộ kinh doanh (commune) -----------------------------------------------------------------------
    Proc(
        "9.990041",
        "Đăng ký thành lập hộ kinh doanh",
        "HKD",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (
            Comp("Giấy đề nghị đăng ký hộ kinh doanh", template="Mẫu giấy đề nghị đăng ký hộ kinh doanh"),
            Comp(
                "Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh",
                required=False,
                condition="Các thành viên hộ gia đình cùng đăng ký",
            ),
        ),
        days(
            3,
            fees=(FeeSpec("Lệ phí đăng ký hộ kinh doanh", 100000),),
            online_fees=(FeeSpec("Lệ phí đăng ký hộ kinh doanh", 0, "Miễn lệ phí khi đăng ký qua mạng"),),
        ),
        (("Giấy chứng nhận đăng ký hộ kinh doanh", "KQ.H99.000301"),),
        DOANH_NGHIEP,
        subjects=(Subject.CITIZEN,),
    ),
    Proc(
        "9.990042",
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "HKD",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (Comp("Thông báo thay đổi nội dung đăng ký hộ kinh doanh", template="Mẫu thông báo thay đổi"),),
        days(
            3,
            fees=(FeeSpec("Lệ phí", 50000),),
            online_fees=(FeeSpec("Lệ phí", 0, "Miễn lệ phí khi đăng ký qua mạng"),),
        ),
        (("Giấy chứng nhận đăng ký hộ kinh doanh (cấp lại)", "KQ.H99.000301"),),
        DOANH_NGHIEP,
    ),
    Proc(
        "9.990043",
        "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh",
        "HKD",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (Comp("Thông báo tạm ngừng hoặc tiếp tục kinh doanh", template="Mẫu thông báo tạm ngừng"),),
        days(3),
        (("Giấy xác nhận về việc hộ kinh doanh tạm ngừng kinh doanh", "KQ.H99.000302"),),
        DOANH_NGHIEP,
    ),
    # --- Doanh nghiệp (province) -----------------------------------------------------------------------
    Proc(
        "9.990051",
        "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên",
        "DKDN",
        (Level.PROVINCE,),
        "finance.business",
        "Phòng Đăng ký kinh doanh, Sở Tài chính",
        (
            Comp("Giấy đề nghị đăng ký doanh nghiệp", template="Phụ lục I-2"),
            Comp("Điều lệ công ty"),
            Comp("Bản sao giấy tờ pháp lý của chủ sở hữu", F.COPY, 0, 1, by_data="CSDL quốc gia về dân cư"),
        ),
        days(
            3,
            fees=(FeeSpec("Lệ phí đăng ký doanh nghiệp", 50000),),
            online_fees=(FeeSpec("Lệ phí đăng ký doanh nghiệp", 0, "Miễn lệ phí khi đăng ký qua mạng"),),
        ),
        (("Giấy chứng nhận đăng ký doanh nghiệp", "KQ.H99.000311"),),
        DOANH_NGHIEP,
        subjects=(Subject.CITIZEN, Subject.ENTERPRISE, Subject.ORGANISATION),
    ),
    Proc(
        "9.990052",
        "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
        "DKDN",
        (Level.PROVINCE,),
        "finance.business",
        "Phòng Đăng ký kinh doanh, Sở Tài chính",
        (
            Comp("Thông báo thay đổi nội dung đăng ký doanh nghiệp", template="Phụ lục II-1"),
            Comp("Nghị quyết, quyết định về việc thay đổi", F.COPY, 0, 1),
        ),
        days(
            3,
            fees=(FeeSpec("Lệ phí đăng ký doanh nghiệp", 50000),),
            online_fees=(FeeSpec("Lệ phí đăng ký doanh nghiệp", 0, "Miễn lệ phí khi đăng ký qua mạng"),),
        ),
        (("Giấy chứng nhận đăng ký doanh nghiệp (thay đổi)", "KQ.H99.000311"),),
        DOANH_NGHIEP,
        subjects=(Subject.ENTERPRISE,),
    ),
    # --- Xây dựng ---------------------------------------------------------------------------------------
    Proc(
        "9.990061",
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "XD",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (
            Comp("Đơn đề nghị cấp giấy phép xây dựng", template="Mẫu số 01 Phụ lục II"),
            Comp("Giấy tờ chứng minh quyền sử dụng đất", F.CERTIFIED_COPY, 0, 1, by_data="CSDL đất đai"),
            Comp("Bản vẽ thiết kế xây dựng", F.ORIGINAL, 2, 0),
        ),
        days(
            15,
            fees=(FeeSpec("Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ", 75000),),
            unit=U.CALENDAR_DAYS,
        ),
        (("Giấy phép xây dựng", "KQ.H99.000401"),),
        XAY_DUNG,
    ),
    Proc(
        "9.990062",
        "Cấp giấy phép xây dựng mới đối với công trình cấp II, cấp III",
        "XD",
        (Level.PROVINCE,),
        "construction.permits",
        "Phòng Quản lý xây dựng, Sở Xây dựng",
        (
            Comp("Đơn đề nghị cấp giấy phép xây dựng", template="Mẫu số 01 Phụ lục II"),
            Comp("Giấy tờ chứng minh quyền sử dụng đất", F.CERTIFIED_COPY, 0, 1),
            Comp("Quyết định phê duyệt dự án", F.COPY, 0, 1),
            Comp("Bản vẽ thiết kế xây dựng", F.ORIGINAL, 2, 0),
        ),
        days(20, fees=(FeeSpec("Lệ phí cấp giấy phép xây dựng công trình", 150000),), unit=U.CALENDAR_DAYS),
        (("Giấy phép xây dựng", "KQ.H99.000401"),),
        XAY_DUNG,
        subjects=(Subject.ENTERPRISE, Subject.ORGANISATION),
        online=ONLINE.PARTIAL,
        partial_reason="Bản vẽ thiết kế khổ lớn nộp bản giấy để thẩm định.",
    ),
    Proc(
        "9.990063",
        "Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III",
        "XD",
        (Level.PROVINCE,),
        "construction.permits",
        "Phòng Quản lý xây dựng, Sở Xây dựng",
        (
            Comp("Đơn đề nghị cấp chứng chỉ hành nghề", template="Mẫu số 01 Phụ lục IV"),
            Comp("Văn bằng do cơ sở đào tạo hợp pháp cấp", F.ELECTRONIC, 1, 0),
            Comp("Ảnh màu cỡ 4x6 cm", F.ORIGINAL, 2, 0),
        ),
        days(20, fees=(FeeSpec("Lệ phí cấp chứng chỉ hành nghề", 300000),), online_value=15),
        (("Chứng chỉ hành nghề hoạt động xây dựng", "KQ.H99.000402"),),
        XAY_DUNG,
    ),
    # --- Đất đai ----------------------------------------------------------------------------------------
    Proc(
        "9.990071",
        "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu "
        "tài sản gắn liền với đất lần đầu",
        "DD",
        (Level.PROVINCE, Level.COMMUNE),
        "agriculture.land",
        "Văn phòng Đăng ký đất đai, Sở Nông nghiệp và Môi trường",
        (
            Comp("Đơn đăng ký đất đai, tài sản gắn liền với đất", template="Mẫu số 04/ĐK"),
            Comp("Giấy tờ về quyền sử dụng đất", F.COPY, 0, 1),
            Comp("Chứng từ thực hiện nghĩa vụ tài chính", F.COPY, 0, 1, required=False, condition="Nếu có"),
        ),
        days(20, fees=(FeeSpec("Lệ phí cấp Giấy chứng nhận", 100000),)),
        (("Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", "KQ.H99.000501"),),
        DAT_DAI,
        online=ONLINE.PARTIAL,
        partial_reason="Phải kiểm tra thực địa và nộp bản gốc giấy tờ về quyền sử dụng đất.",
        coordinating="Ủy ban nhân dân cấp xã; Cơ quan thuế",
    ),
    Proc(
        "9.990072",
        "Đăng ký biến động quyền sử dụng đất do chuyển nhượng, tặng cho, thừa kế",
        "DD",
        (Level.PROVINCE,),
        "agriculture.land",
        "Văn phòng Đăng ký đất đai, Sở Nông nghiệp và Môi trường",
        (
            Comp("Đơn đăng ký biến động đất đai", template="Mẫu số 11/ĐK"),
            Comp("Hợp đồng, văn bản chuyển quyền đã công chứng, chứng thực"),
            Comp("Giấy chứng nhận đã cấp"),
        ),
        days(10, fees=(FeeSpec("Lệ phí đăng ký biến động", 50000),), online_value=8),
        (("Giấy chứng nhận (xác nhận biến động)", "KQ.H99.000502"),),
        DAT_DAI,
        online=ONLINE.PARTIAL,
        partial_reason="Phải nộp bản gốc Giấy chứng nhận đã cấp.",
    ),
    Proc(
        "9.990073",
        "Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất",
        "DD",
        (Level.PROVINCE,),
        "agriculture.land",
        "Văn phòng Đăng ký đất đai, Sở Nông nghiệp và Môi trường",
        (
            Comp("Đơn đề nghị cấp lại Giấy chứng nhận", template="Mẫu số 11/ĐK"),
            Comp("Giấy xác nhận của UBND cấp xã về việc đã niêm yết thông báo mất giấy"),
        ),
        days(10, fees=(FeeSpec("Lệ phí cấp lại Giấy chứng nhận", 50000),)),
        (("Giấy chứng nhận quyền sử dụng đất (cấp lại)", "KQ.H99.000503"),),
        DAT_DAI,
    ),
    # --- Môi trường -------------------------------------------------------------------------------------
    Proc(
        "9.990081",
        "Cấp giấy phép môi trường",
        "MT",
        (Level.PROVINCE,),
        "agriculture.environment",
        "Phòng Môi trường, Sở Nông nghiệp và Môi trường",
        (
            Comp("Văn bản đề nghị cấp giấy phép môi trường", template="Mẫu số 01 Phụ lục XIII"),
            Comp("Báo cáo đề xuất cấp giấy phép môi trường", F.ELECTRONIC, 1, 0),
        ),
        days(30, fees=(FeeSpec("Phí thẩm định cấp giấy phép môi trường", 15000000),), unit=U.CALENDAR_DAYS),
        (("Giấy phép môi trường", "KQ.H99.000601"),),
        (
            ("72/2020/QH14", "Luật Bảo vệ môi trường"),
            ("08/2022/NĐ-CP", "Nghị định quy định chi tiết Luật BVMT"),
        ),
        subjects=(Subject.ENTERPRISE, Subject.ORGANISATION),
        online=ONLINE.PARTIAL,
        partial_reason="Phải kiểm tra thực tế cơ sở.",
    ),
    # --- Bảo trợ xã hội (commune) ----------------------------------------------------------------------
    Proc(
        "9.990091",
        "Trợ giúp xã hội thường xuyên (hưởng trợ cấp xã hội hằng tháng)",
        "BTXH",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (
            Comp("Tờ khai đề nghị trợ giúp xã hội", template="Mẫu số 1a"),
            Comp("Giấy xác nhận khuyết tật", F.COPY, 0, 1, required=False, condition="Người khuyết tật"),
        ),
        days(15),
        (("Quyết định trợ cấp xã hội hằng tháng", "KQ.H99.000701"),),
        (
            (
                "20/2021/NĐ-CP",
                "Nghị định quy định chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội",
            ),
        ),
    ),
    Proc(
        "9.990092",
        "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
        "BTXH",
        (Level.COMMUNE,),
        COMMUNE,
        "Ủy ban nhân dân cấp xã",
        (
            Comp("Tờ khai đề nghị hỗ trợ chi phí mai táng", template="Mẫu số 04"),
            Comp("Trích lục khai tử", F.COPY, 0, 1),
        ),
        days(3),
        (("Quyết định hỗ trợ chi phí mai táng", "KQ.H99.000702"),),
        (
            (
                "20/2021/NĐ-CP",
                "Nghị định quy định chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội",
            ),
        ),
    ),
)


def spec_hash(spec: Proc) -> str:
    """A stable digest of a definition: an unchanged definition must not make a new version."""
    return hashlib.sha256(json.dumps(asdict(spec), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _publish(version: ProcedureVersion) -> None:
    """Publish through the catalogue's own function when it exists (it owns the version rules)."""
    try:
        from motcua.catalogue.versions import publish
    except ModuleNotFoundError as exc:
        if exc.name != "motcua.catalogue.versions":
            raise
    else:
        publish(version)
        return
    now = timezone.now()
    ProcedureVersion.objects.filter(
        procedure=version.procedure, status=ProcedureVersion.Status.PUBLISHED
    ).update(status=ProcedureVersion.Status.RETIRED, valid_to=now)
    version.status = ProcedureVersion.Status.PUBLISHED
    version.valid_from = now
    version.save(update_fields=["status", "valid_from"])


def _fill(version: ProcedureVersion, spec: Proc) -> None:
    for order, comp in enumerate(spec.components, start=1):
        Component.objects.create(
            version=version,
            order=order,
            name=comp.name,
            form=comp.form,
            original_count=comp.originals,
            copy_count=comp.copies,
            required=comp.required,
            condition=comp.condition,
            template_name=comp.template,
            replaceable_by_data=bool(comp.by_data),
            replacing_database=comp.by_data,
        )
    for chan in spec.channels:
        option = ChannelOption.objects.create(
            version=version,
            channel=chan.channel,
            duration_value=Decimal(chan.value) if chan.value is not None else None,
            duration_unit=chan.unit,
            description=chan.description,
        )
        for fee in chan.fees:
            Fee.objects.create(
                channel_option=option,
                name=fee.name,
                amount=fee.amount,
                exemption_note=fee.note if fee.amount == 0 else "",
                text=fee.note if fee.amount else "",
            )
    for order, (name, code) in enumerate(spec.results, start=1):
        ResultDocument.objects.create(version=version, order=order, name=name, result_code=code)
    for order, (number, title) in enumerate(spec.legal, start=1):
        LegalBasis.objects.create(version=version, order=order, number=number, title=title)


def load(ctx: DemoContext) -> None:
    fields = {key: ensure(ctx, Field, {"code": f"H99-{key}"}, name=name) for key, name in FIELDS.items()}
    for spec in PROCEDURES:
        digest = spec_hash(spec)
        procedure = ensure(ctx, Procedure, {"code": spec.code}, name=spec.name)
        current = procedure.published_version()
        if current is not None and (current.source != DEMO_SOURCE or current.source_hash == digest):
            ctx.count("unchanged", current)  # ours and unchanged, or not ours: leave it alone
            continue
        if spec.agency.startswith("kind:"):
            agency, agency_kind = None, spec.agency.removeprefix("kind:")
        else:
            agency, agency_kind = ctx.agencies[spec.agency], ""
        number = (procedure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            number=number,
            status=ProcedureVersion.Status.DRAFT,
            name=spec.name,
            field=fields[spec.field],
            levels=list(spec.levels),
            subjects=list(spec.subjects),
            competent_agency=agency,
            competent_agency_kind=agency_kind,
            competent_agency_text=spec.agency_text,
            coordinating_agencies_text=spec.coordinating,
            announcing_decision="Quyết định số 1234/QĐ-UBND ngày 15/01/2026 của UBND tỉnh Hồng Lam (mẫu)",
            online_level=spec.online,
            partial_online_reason=spec.partial_reason,
            steps_text=spec.steps,
            conditions_text=spec.conditions,
            source=DEMO_SOURCE,
            source_hash=digest,
        )
        _fill(version, spec)
        _publish(version)
        ctx.count("created", version)
