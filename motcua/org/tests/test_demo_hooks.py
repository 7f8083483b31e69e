"""motcua demo on an empty database: the extension hook, atomicity and the production guard."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from motcua.org import demo
from motcua.org.models import Agency

User = get_user_model()


def run(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_refuses_to_run_in_production():
    with override_settings(DEPLOYMENT="production"), pytest.raises(CommandError, match="production"):
        run()
    assert not User.objects.exists()


def test_other_packages_add_steps_through_the_hook(db, monkeypatch):
    seen = []
    monkeypatch.setattr(demo, "collect_steps", lambda: [*demo.DEMO_STEPS, lambda ctx: seen.append(ctx)])
    ctx = demo.run_demo(write=lambda _: None)
    assert seen == [ctx]
    # A later step finds what the earlier ones made.
    assert ctx.agencies["justice"].short_name == "Sở Tư pháp"
    assert ctx.users["cv.tuphap"].username == "cv.tuphap"


def test_the_org_steps_come_first_in_the_collected_steps():
    steps = demo.collect_steps()
    assert steps[: len(demo.DEMO_STEPS)] == demo.DEMO_STEPS


def test_a_failing_later_step_leaves_nothing_half_written(db, monkeypatch):
    def broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(demo, "collect_steps", lambda: [*demo.DEMO_STEPS, broken])
    with pytest.raises(RuntimeError):
        demo.run_demo(write=lambda _: None)
    assert not Agency.objects.exists()
    assert not User.objects.exists()
