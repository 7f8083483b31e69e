"""The fixed vocabularies of the workflow: dossier states, actions, guards, step-unit references.

Process definitions are data, but they may only combine these words: no definition can smuggle in code.
Each value's comment says what it means for the dossier.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    """Business status of a dossier (one dimension; payment, delivery and sync have their own)."""

    SUBMITTED = "submitted", _("Mới đăng ký, chờ tiếp nhận")  # online, clock not started
    RECEIVED = "received", _("Đã tiếp nhận")  # receipt and appointment issued, at the reception step
    PROCESSING = "processing", _("Đang xử lý")  # at an internal step
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("Chờ bổ sung hồ sơ")  # clock paused
    AWAITING_PAYMENT = "awaiting_payment", _("Chờ thực hiện nghĩa vụ tài chính")  # clock paused
    RESULT_ISSUED = "result_issued", _("Đã có kết quả, chờ trả")  # processing clock stopped
    RETURNED = "returned", _("Đã trả kết quả")  # terminal
    REFUSED = "refused", _("Từ chối tiếp nhận")  # terminal
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")  # terminal
    STOPPED = "stopped", _("Dừng xử lý")  # terminal


OPEN_STATES = frozenset(
    {State.SUBMITTED, State.RECEIVED, State.PROCESSING, State.AWAITING_SUPPLEMENT, State.AWAITING_PAYMENT}
)
# The legal clock is running in these states (rules.md §3.3).
CLOCK_RUNNING_STATES = frozenset({State.RECEIVED, State.PROCESSING})
PAUSED_STATES = frozenset({State.AWAITING_SUPPLEMENT, State.AWAITING_PAYMENT})
TERMINAL_STATES = frozenset({State.RETURNED, State.REFUSED, State.WITHDRAWN, State.STOPPED})
# Handling has ended (the index's "end of handling"): result issued, or a terminal state.
FINISHED_STATES = frozenset({State.RESULT_ISSUED, *TERMINAL_STATES})


class Action(models.TextChoices):
    """Every command a dossier understands. Moving actions change the step; the others do not."""

    SUBMIT = "submit", _("Nộp hồ sơ trực tuyến")  # recorded by the system, not a command an officer runs
    RECALCULATE_DUE = "recalculate_due", _("Tính lại hạn do thay đổi lịch làm việc")  # system only
    RECEIVE = "receive", _("Tiếp nhận")
    GUIDE = "guide", _("Hướng dẫn hoàn thiện")
    REFUSE = "refuse", _("Từ chối tiếp nhận")
    TRANSFER = "transfer", _("Chuyển xử lý")
    ASSIGN = "assign", _("Phân công")
    FORWARD = "forward", _("Chuyển bước tiếp theo")
    SEND_BACK = "send_back", _("Trả lại bước trước")
    APPROVE = "approve", _("Phê duyệt")
    RECORD_RESULT = "record_result", _("Dự thảo kết quả")
    REQUEST_SUPPLEMENT = "request_supplement", _("Dự thảo yêu cầu bổ sung")
    APPROVE_SUPPLEMENT_REQUEST = "approve_supplement_request", _("Duyệt và gửi yêu cầu bổ sung")
    RECEIVE_SUPPLEMENT = "receive_supplement", _("Nhận hồ sơ bổ sung")
    REQUEST_PAYMENT = "request_payment", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    CONFIRM_PAYMENT = "confirm_payment", _("Xác nhận đã thực hiện nghĩa vụ tài chính")
    CONSULT = "consult", _("Xin ý kiến cơ quan phối hợp")
    REPLY_CONSULTATION = "reply_consultation", _("Trả lời xin ý kiến")
    EXTEND = "extend", _("Xin lỗi và gia hạn")
    STOP = "stop", _("Dừng xử lý")
    WITHDRAW = "withdraw", _("Rút hồ sơ theo yêu cầu")
    RECORD_POPULATION_USE = "record_population_use", _("Ghi nhận khai thác CSDL quốc gia về dân cư")
    ISSUE_RESULT = "issue_result", _("Ban hành kết quả")
    RETURN_RESULT = "return_result", _("Trả kết quả")


# Actions that move the dossier from one step of the process to another (edges of the process graph).
MOVING_ACTIONS = frozenset(
    {
        Action.TRANSFER,
        Action.ASSIGN,
        Action.FORWARD,
        Action.SEND_BACK,
        Action.APPROVE,
        Action.ISSUE_RESULT,
        Action.RETURN_RESULT,
    }
)
# Actions a step may allow without moving (listed under the step's `allows`), with the default role.
STEP_ACTION_DEFAULT_ROLES: dict[str, str] = {
    Action.RECORD_RESULT: "specialist",
    Action.REQUEST_SUPPLEMENT: "specialist",
    Action.APPROVE_SUPPLEMENT_REQUEST: "head",
    Action.REQUEST_PAYMENT: "specialist",
    Action.CONSULT: "specialist",
    Action.EXTEND: "leader",
}
# Actions available whatever the step, with their fixed role (they belong to the one-stop desk or to the
# consulted agency, not to the internal process).
GLOBAL_ACTION_ROLES: dict[str, str] = {
    Action.RECEIVE: "one_stop",
    Action.GUIDE: "one_stop",
    Action.REFUSE: "one_stop",
    Action.RECEIVE_SUPPLEMENT: "one_stop",
    Action.CONFIRM_PAYMENT: "one_stop",
    Action.WITHDRAW: "one_stop",
    Action.REPLY_CONSULTATION: "specialist",
    Action.STOP: "leader",  # a decision of the competent agency's leader, at any step
}


class Guard(models.TextChoices):
    """Conditions a transition may require. Each is evaluated by dossiers.guards, never by eval()."""

    COMPONENTS_COMPLETE = "components_complete", _("Đủ thành phần hồ sơ bắt buộc")
    FEES_PAID = "fees_paid", _("Đã nộp phí, lệ phí")
    RESULT_DRAFTED = "result_drafted", _("Đã có dự thảo kết quả")
    RESULT_SIGNED = "result_signed", _("Kết quả đã được ký")
    NO_PENDING_DRAFT = "no_pending_draft", _("Không còn dự thảo chờ duyệt")
    NO_OPEN_CONSULTATION = "no_open_consultation", _("Không còn xin ý kiến đang chờ")
    ASSIGNED_TO_ACTOR = "assigned_to_actor", _("Hồ sơ được phân công cho người thực hiện")


class UnitRef(models.TextChoices):
    """Where a step is held, relative to the dossier (routing by procedure, never by counter)."""

    RECEPTION = "reception", _("Bộ phận tiếp nhận")
    RETURN_POINT = "return_point", _("Nơi trả kết quả")
    COMPETENT = "competent", _("Cơ quan có thẩm quyền")
    HANDLING = "handling", _("Phòng chuyên môn thụ lý")
