"""What ``motcua serve`` shows at start from this package: the demo accounts, when they exist."""

from __future__ import annotations

from .demo.accounts import demo_accounts, format_accounts


def demo_accounts_banner() -> str:
    rows = demo_accounts()
    if not rows:
        return ""
    return "\nTài khoản mẫu (dữ liệu demo):\n" + format_accounts(rows)


SERVE_BANNERS = [demo_accounts_banner]
