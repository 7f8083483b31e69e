"""The one mapping from internal states to the national status codes (TrangThaiHoSo, rules.md §3.1).

This module is the only owner of that mapping. The national portal must never see a dossier go
backwards, so the allowed national transitions are declared here too and checked by the tests.
"""

from __future__ import annotations

from .vocabulary import State

NATIONAL_STATUS: dict[str, int] = {
    State.SUBMITTED: 1,  # Mới đăng ký
    State.RECEIVED: 2,  # Được tiếp nhận
    State.REFUSED: 3,  # Không được tiếp nhận
    State.PROCESSING: 4,  # Đang xử lý
    State.AWAITING_SUPPLEMENT: 5,  # Yêu cầu bổ sung giấy tờ
    State.AWAITING_PAYMENT: 6,  # Yêu cầu thực hiện nghĩa vụ tài chính
    State.WITHDRAWN: 7,  # Công dân yêu cầu rút hồ sơ
    State.STOPPED: 8,  # Dừng xử lý
    State.RESULT_ISSUED: 9,  # Đã xử lý xong
    State.RETURNED: 10,  # Đã trả kết quả
}

NATIONAL_LABELS = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}

# National status transitions a dossier may make (same status → same status is always allowed: a step
# change inside "being processed" is still 4 → 4). Everything else would look like going backwards.
ALLOWED_NATIONAL_TRANSITIONS: dict[int, frozenset[int]] = {
    1: frozenset({1, 2, 3, 7}),
    2: frozenset({2, 4, 5, 6, 7, 8, 9}),
    4: frozenset({4, 5, 6, 7, 8, 9}),
    5: frozenset({4, 5, 7, 8}),
    6: frozenset({4, 6, 7, 8}),
    9: frozenset({9, 10}),
    3: frozenset({3}),
    7: frozenset({7}),
    8: frozenset({8}),
    10: frozenset({10}),
}


def national_status(state: str) -> int:
    return NATIONAL_STATUS[state]


def is_allowed_national_transition(before: int | None, after: int) -> bool:
    if before is None:
        return after in (1, 2, 3)
    return after in ALLOWED_NATIONAL_TRANSITIONS[before]
