"""Demo staff accounts for every role, in the right units, and a few citizens. One known password.

Names: Django's ``first_name`` holds the family and middle names (họ và tên đệm) and ``last_name`` the given
name (tên), so ``get_full_name()`` reads in Vietnamese order and sorting by ``last_name`` sorts by given
name, as Vietnamese lists do.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from motcua.org.models import Agency, Role, RoleAssignment

from .base import DEMO_PASSWORD, AccountRow, DemoContext, ensure

# username, full name, [(role, agency key, reception point key or None, title)], is administrator
STAFF: list[dict] = [
    {
        "username": "quantri",
        "name": "Trần Quốc Bảo",
        "admin": True,
        "roles": [(Role.ADMIN, "province", None, "Quản trị hệ thống")],
    },
    {
        "username": "giamsat",
        "name": "Lê Thị Thu Hà",
        "roles": [(Role.SUPERVISOR, "office", None, "Chuyên viên Văn phòng UBND tỉnh")],
    },
    {
        "username": "motcua.tinh",
        "name": "Nguyễn Thị Lan",
        "roles": [(Role.ONE_STOP, "centre", "centre", "Công chức tiếp nhận")],
    },
    {
        "username": "motcua.dongthanh",
        "name": "Phạm Văn Hùng",
        "roles": [(Role.ONE_STOP, "commune:99001", "commune:99001", "Công chức tiếp nhận")],
    },
    {
        "username": "motcua.hoaan",
        "name": "Đinh Thị Thảo",
        "roles": [(Role.ONE_STOP, "commune:99007", "commune:99007", "Công chức tiếp nhận")],
    },
    {
        "username": "cv.tuphap",
        "name": "Hoàng Minh Tuấn",
        "roles": [(Role.SPECIALIST, "justice.civil", None, "Chuyên viên")],
    },
    {
        "username": "tp.tuphap",
        "name": "Đỗ Thị Mai",
        "roles": [(Role.HEAD, "justice.civil", None, "Trưởng phòng Hành chính tư pháp")],
    },
    {
        "username": "gd.tuphap",
        "name": "Vũ Đức Thắng",
        "roles": [(Role.LEADER, "justice", None, "Giám đốc Sở Tư pháp")],
    },
    {
        "username": "vt.tuphap",
        "name": "Bùi Thị Hồng",
        "roles": [(Role.CLERK, "justice", None, "Văn thư")],
    },
    {
        "username": "cv.lltp",
        "name": "Tạ Văn Nam",
        "roles": [(Role.SPECIALIST, "justice.records", None, "Chuyên viên")],
    },
    {
        "username": "cv.dongthanh",
        "name": "Ngô Thị Hạnh",
        # Small communes double up: the civil-status officer also sits at the counter on busy days.
        "roles": [
            (Role.SPECIALIST, "commune:99001.office", None, "Công chức Tư pháp - Hộ tịch"),
            (Role.ONE_STOP, "commune:99001", "commune:99001", "Công chức tiếp nhận"),
        ],
    },
    {
        "username": "tp.dongthanh",
        "name": "Đặng Văn Long",
        "roles": [(Role.HEAD, "commune:99001.office", None, "Chánh Văn phòng HĐND và UBND phường")],
    },
    {
        "username": "ct.dongthanh",
        "name": "Trịnh Văn Sơn",
        "roles": [(Role.LEADER, "commune:99001", None, "Chủ tịch UBND phường")],
    },
    {
        "username": "vt.dongthanh",
        "name": "Lý Thị Ngọc",
        "roles": [(Role.CLERK, "commune:99001", None, "Văn thư")],
    },
    {
        "username": "cv.xaydung",
        "name": "Phan Văn Khoa",
        "roles": [(Role.SPECIALIST, "construction.permits", None, "Chuyên viên")],
    },
    {
        "username": "cv.datdai",
        "name": "Mai Thị Thanh",
        "roles": [(Role.SPECIALIST, "agriculture.land", None, "Viên chức đăng ký đất đai")],
    },
    {
        "username": "cv.dkkd",
        "name": "Dương Quang Huy",
        "roles": [(Role.SPECIALIST, "finance.business", None, "Chuyên viên")],
    },
]

CITIZENS: list[dict] = [
    {"username": "congdan.an", "name": "Nguyễn Văn An", "email": "an.nguyen@example.com"},
    {"username": "congdan.binh", "name": "Trần Thị Bình", "email": "binh.tran@example.com"},
    {"username": "congdan.cuong", "name": "Lê Minh Cường", "email": "cuong.le@example.com"},
]

CITIZEN_LABEL = "Công dân (không có vai trò cán bộ)"


def unit_label(agency: Agency) -> str:
    """A division's name alone is ambiguous ("Phòng Hành chính tư pháp" of which Sở?): add its agency.

    Divisions of a People's Committee already carry the province or commune in their name.
    """
    if (
        agency.kind == Agency.Kind.DIVISION
        and agency.parent is not None
        and agency.parent.kind not in (Agency.Kind.PROVINCE, Agency.Kind.COMMUNE)
    ):
        return f"{agency.name}, {agency.parent.short_name or agency.parent.name}"
    return agency.name


def split_name(full_name: str) -> tuple[str, str]:
    """("Nguyễn Thị", "Lan") from "Nguyễn Thị Lan": family and middle names, then the given name."""
    family, _, given = full_name.rpartition(" ")
    return family, given


def _user(ctx: DemoContext, username: str, full_name: str, email: str, admin: bool, password_hash: str):
    first, last = split_name(full_name)
    user = ensure(
        ctx,
        get_user_model(),
        {"username": username},
        create_only={"password": password_hash},
        first_name=first,
        last_name=last,
        email=email,
        is_active=True,
        is_staff=admin,
        is_superuser=admin,
    )
    if ctx.reset_passwords and not user.check_password(DEMO_PASSWORD):
        user.password = password_hash
        user.save(update_fields=["password"])
        ctx.count("updated", user)
    ctx.users[username] = user
    return user


def load(ctx: DemoContext) -> None:
    # One hash for every demo account: hashing is deliberately slow (PBKDF2), and twenty of them would make
    # the first `make run` wait for nothing.
    password_hash = make_password(DEMO_PASSWORD)
    for spec in STAFF:
        user = _user(
            ctx,
            spec["username"],
            spec["name"],
            f"{spec['username']}@honglam.gov.vn.example",
            spec.get("admin", False),
            password_hash,
        )
        for role, agency_key, point_key, title in spec["roles"]:
            agency = ctx.agencies[agency_key]
            ensure(
                ctx,
                RoleAssignment,
                {"user": user, "role": role, "agency": agency},
                reception_point=ctx.points[point_key] if point_key else None,
                title=title,
                valid_from=None,
                valid_to=None,
            )
            ctx.accounts.append(
                AccountRow(user.username, spec["name"], str(Role(role).label), unit_label(agency))
            )
    for spec in CITIZENS:
        _user(ctx, spec["username"], spec["name"], spec["email"], False, password_hash)
        ctx.accounts.append(AccountRow(spec["username"], spec["name"], CITIZEN_LABEL, ""))


def demo_accounts() -> list[AccountRow]:
    """The demo accounts present in the database, from the rows themselves (for ``motcua serve``)."""
    usernames = [s["username"] for s in STAFF] + [s["username"] for s in CITIZENS]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames, is_active=True)}
    rows = []
    for spec in STAFF:
        if spec["username"] not in users:
            continue
        user = users[spec["username"]]
        assignments = RoleAssignment.objects.filter(user=user).select_related("agency__parent").order_by("id")
        for a in assignments:
            rows.append(
                AccountRow(user.username, user.get_full_name(), a.get_role_display(), unit_label(a.agency))
            )
    for spec in CITIZENS:
        if spec["username"] in users:
            rows.append(
                AccountRow(spec["username"], users[spec["username"]].get_full_name(), CITIZEN_LABEL, "")
            )
    return rows


def format_accounts(rows: list[AccountRow]) -> str:
    """A plain-text table (username, name, role, unit) followed by the shared password."""
    header = AccountRow("Tài khoản", "Họ và tên", "Vai trò", "Đơn vị")
    table = [header, *rows]
    widths = [max(len(getattr(r, f)) for r in table) for f in ("username", "full_name", "role")]
    lines = []
    for i, r in enumerate(table):
        cells = f"{r.username:<{widths[0]}}  {r.full_name:<{widths[1]}}  {r.role:<{widths[2]}}  {r.unit}"
        lines.append(f"  {cells}".rstrip())
        if i == 0:
            lines.append("  " + "-" * (sum(widths) + 6 + max(len(x.unit) for x in table)))
    lines.append(f"  Mật khẩu chung của các tài khoản mẫu: {DEMO_PASSWORD}")
    return "\n".join(lines)
