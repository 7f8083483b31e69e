"""Demo data: the built-in default process, published (idempotent)."""

from motcua.workflow.loader import ensure_builtin_processes


def load(ctx) -> None:
    for definition in ensure_builtin_processes():
        ctx.count("unchanged" if definition.published_at else "created", definition)


DEMO_STEPS = [load]
