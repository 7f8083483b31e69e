"""A read-only diagram of a process as inline SVG, drawn on the server (no JavaScript, no CDN).

Steps stand in a column in their defined order; a transition to a later step is drawn on the right, one
back to an earlier step on the left, so the happy path reads top to bottom.
"""

from __future__ import annotations

from html import escape

from .definition import END, Process

BOX_W, BOX_H, GAP, MARGIN = 300, 54, 34, 150
ROLE_LABELS = {
    "one_stop": "Một cửa",
    "specialist": "Chuyên viên",
    "head": "Lãnh đạo phòng",
    "leader": "Lãnh đạo cơ quan",
    "clerk": "Văn thư",
    "supervisor": "Giám sát",
    "admin": "Quản trị",
}


def render_svg(process: Process) -> str:
    keys = [s.key for s in process.steps] + [END]
    index = {k: i for i, k in enumerate(keys)}
    height = len(keys) * (BOX_H + GAP) + GAP
    width = BOX_W + 2 * MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(process.name)}" '
        'font-family="sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f3b6f"/></marker></defs>',
    ]

    def top(i: int) -> int:
        return GAP + i * (BOX_H + GAP)

    for i, step in enumerate(process.steps):
        y = top(i)
        parts.append(
            f'<rect x="{MARGIN}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8" '
            'fill="#eef3fb" stroke="#1f3b6f"/>'
            f'<text x="{MARGIN + BOX_W / 2}" y="{y + 22}" text-anchor="middle" font-weight="bold">'
            f"{escape(step.name[:44])}</text>"
            f'<text x="{MARGIN + BOX_W / 2}" y="{y + 40}" text-anchor="middle" fill="#333">'
            f"{escape(ROLE_LABELS.get(step.role, step.role))} · {escape(step.unit)} · "
            f"{step.budget_hours} giờ</text>"
        )
    y_end = top(len(process.steps))
    parts.append(
        f'<ellipse cx="{MARGIN + BOX_W / 2}" cy="{y_end + BOX_H / 2}" rx="60" ry="{BOX_H / 2 - 6}" '
        f'fill="#dff0df" stroke="#2e6b2e"/><text x="{MARGIN + BOX_W / 2}" y="{y_end + BOX_H / 2 + 4}" '
        f'text-anchor="middle">Kết thúc</text>'
    )
    lane = {"right": 0, "left": 0}
    for t in process.transitions:
        a, b = index[t.source], index[t.target]
        label = escape(t.action + (f" [{', '.join(t.guards)}]" if t.guards else ""))
        if b == a + 1:
            x = MARGIN + BOX_W / 2
            parts.append(
                f'<line x1="{x}" y1="{top(a) + BOX_H}" x2="{x}" y2="{top(b)}" stroke="#1f3b6f" '
                f'marker-end="url(#arrow)"/>'
                f'<text x="{x + 6}" y="{top(a) + BOX_H + GAP / 2 + 4}">{label}</text>'
            )
            continue
        side = "right" if b > a else "left"
        lane[side] += 1
        offset = 14 * lane[side]
        x_box = MARGIN + BOX_W if side == "right" else MARGIN
        x_far = x_box + offset if side == "right" else x_box - offset
        y1, y2 = top(a) + BOX_H / 2, top(b) + BOX_H / 2
        parts.append(
            f'<polyline points="{x_box},{y1} {x_far},{y1} {x_far},{y2} {x_box},{y2}" fill="none" '
            f'stroke="{"#1f3b6f" if side == "right" else "#a33"}" marker-end="url(#arrow)"/>'
            f'<text x="{x_far + (4 if side == "right" else -4)}" y="{(y1 + y2) / 2}" '
            f'text-anchor="{"start" if side == "right" else "end"}" fill="#333">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
