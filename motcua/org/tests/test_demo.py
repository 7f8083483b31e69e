"""motcua demo: a complete, idempotent demo province."""

from __future__ import annotations

import dataclasses
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import router, transaction

from motcua.catalogue.models import RESULT_CODE_RE, Procedure, ProcedureVersion
from motcua.org.demo import DEMO_PASSWORD, procedures
from motcua.org.models import AGENCY_CODE_RE, Agency, ReceptionPoint, Role, RoleAssignment
from motcua.org.scopes import has_role, is_supervisor_of

User = get_user_model()


def can_sign_in(username, password):
    user = User.objects.get(username=username)
    return user.is_active and user.check_password(password)


def row_counts():
    # Every table of the main database (a package with its own store, like the simulator, is not ours).
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if router.db_for_read(m) in (None, "default")
    }


def run(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """Load the demo once for this module, in a transaction rolled back at the end.

    Each test still runs in its own savepoint (pytest-django), so what a test changes is undone before the
    next one, and loading the demo (seconds) is paid once rather than per test.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield run()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo_once, db):
    return demo_once


def test_running_it_twice_changes_nothing_and_creates_no_duplicates(loaded):
    first_counts = row_counts()
    snapshot = {
        "users": list(User.objects.order_by("pk").values()),
        "agencies": list(Agency.objects.order_by("pk").values()),
        "versions": list(ProcedureVersion.objects.order_by("pk").values()),
    }

    output = run()

    assert row_counts() == first_counts
    assert snapshot["users"] == list(User.objects.order_by("pk").values())
    assert snapshot["agencies"] == list(Agency.objects.order_by("pk").values())
    assert snapshot["versions"] == list(ProcedureVersion.objects.order_by("pk").values())
    assert "tạo mới 0, cập nhật 0" in output
    assert "tạo mới 0" not in loaded


def test_every_role_has_a_demo_account_that_can_sign_in(loaded):
    for role in Role:
        assert RoleAssignment.objects.filter(role=role).exists(), role
    assert can_sign_in("cv.tuphap", DEMO_PASSWORD)


def test_it_prints_the_accounts_and_the_password(loaded):
    assert DEMO_PASSWORD in loaded
    for username in ("quantri", "motcua.tinh", "gd.tuphap", "congdan.an"):
        assert username in loaded


def test_serve_shows_the_same_account_table_as_the_demo(loaded):
    from motcua.org.serve import demo_accounts_banner

    banner = demo_accounts_banner()
    table = banner.split("\n", 2)[2]
    assert table in loaded
    assert "Phòng Hành chính tư pháp, Sở Tư pháp" in table


def test_the_administrator_is_staff_and_superuser_and_no_one_else_is(loaded):
    admins = User.objects.filter(is_staff=True)
    assert [u.username for u in admins] == ["quantri"]
    assert admins[0].is_superuser


def test_citizens_have_no_staff_role(loaded):
    citizens = User.objects.filter(username__startswith="congdan.")
    assert citizens.count() >= 3
    assert not RoleAssignment.objects.filter(user__in=citizens).exists()
    assert not citizens.filter(is_staff=True).exists()


def test_staff_sit_in_the_right_units(loaded):
    justice = Agency.objects.get(short_name="Sở Tư pháp")
    civil = justice.children.get(name="Phòng Hành chính tư pháp")
    ward = Agency.objects.get(name="Ủy ban nhân dân phường Đông Thành")
    user = User.objects.get
    assert has_role(user(username="cv.tuphap"), Role.SPECIALIST, civil)
    assert has_role(user(username="tp.tuphap"), Role.HEAD, civil)
    assert has_role(user(username="gd.tuphap"), Role.LEADER, civil)
    assert has_role(user(username="ct.dongthanh"), Role.LEADER, ward)
    assert not has_role(user(username="ct.dongthanh"), Role.LEADER, justice)
    assert is_supervisor_of(user(username="giamsat"), ward)
    one_stop = RoleAssignment.objects.filter(role=Role.ONE_STOP)
    assert {a.reception_point.kind for a in one_stop} == {
        ReceptionPoint.Kind.PROVINCIAL_CENTRE,
        ReceptionPoint.Kind.COMMUNE_CENTRE,
    }


def test_the_province_has_a_centre_five_departments_and_five_communes_with_centres(loaded):
    province = Agency.objects.get(kind=Agency.Kind.PROVINCE)
    assert province.admin_unit.code == "99"
    assert province.children.filter(kind__in=[Agency.Kind.DEPARTMENT, Agency.Kind.VERTICAL]).count() >= 5
    communes = province.children.filter(kind=Agency.Kind.COMMUNE)
    assert communes.count() == 5
    for commune in communes:
        assert len(commune.admin_unit.code) == 5
        assert commune.reception_points.filter(kind=ReceptionPoint.Kind.COMMUNE_CENTRE).exists()
    assert ReceptionPoint.objects.filter(kind=ReceptionPoint.Kind.PROVINCIAL_CENTRE).count() == 1
    assert all(AGENCY_CODE_RE.match(code) for code in Agency.objects.values_list("code", flat=True))
    for department in province.children.filter(kind=Agency.Kind.DEPARTMENT):
        assert department.children.filter(kind=Agency.Kind.DIVISION).exists(), department


def test_about_thirty_procedures_each_with_one_complete_published_version(loaded):
    procedures_ = Procedure.objects.all()
    assert procedures_.count() >= 30
    for procedure in procedures_:
        version = procedure.published_version()
        assert version is not None, procedure
        assert version.field is not None and version.levels and version.subjects
        assert version.competent_agency_id or version.competent_agency_kind
        assert version.components.exists()
        assert version.results.exists()
        assert all(RESULT_CODE_RE.match(r.result_code) for r in version.results.all())
        channels = list(version.channels.all())
        assert channels and all(c.has_structured_duration for c in channels), procedure
        assert all(f.amount is not None for c in channels for f in c.fees.all())


def test_online_is_never_slower_than_in_person(loaded):
    for version in ProcedureVersion.objects.filter(status=ProcedureVersion.Status.PUBLISHED):
        by_channel = {c.channel: c for c in version.channels.all()}
        online, counter = by_channel.get("online"), by_channel.get("in_person")
        if online and counter and online.duration_value is not None:
            assert online.duration_value <= counter.duration_value, version


def test_a_changed_definition_publishes_a_new_version_and_retires_the_old(loaded, monkeypatch):
    first = procedures.PROCEDURES[0]
    changed = dataclasses.replace(first, name=first.name + " (sửa đổi)")
    monkeypatch.setattr(procedures, "PROCEDURES", (changed, *procedures.PROCEDURES[1:]))

    run()

    versions = list(Procedure.objects.get(code=first.code).versions.order_by("number"))
    assert [v.status for v in versions] == [
        ProcedureVersion.Status.RETIRED,
        ProcedureVersion.Status.PUBLISHED,
    ]
    assert versions[1].name.endswith("(sửa đổi)")
    assert versions[0].valid_to is not None


def test_a_procedure_not_published_by_the_demo_is_left_alone(loaded, monkeypatch):
    first = procedures.PROCEDURES[0]
    ProcedureVersion.objects.filter(procedure__code=first.code).update(source="import", source_hash="x")
    changed = dataclasses.replace(first, name="Tên khác")
    monkeypatch.setattr(procedures, "PROCEDURES", (changed, *procedures.PROCEDURES[1:]))

    run()

    assert Procedure.objects.get(code=first.code).versions.count() == 1


def test_a_changed_password_survives_a_rerun_unless_reset_is_asked(loaded):
    user = User.objects.get(username="cv.tuphap")
    user.set_password("another-secret")
    user.save()

    run()
    assert can_sign_in("cv.tuphap", "another-secret")

    run("--reset-passwords")
    assert can_sign_in("cv.tuphap", DEMO_PASSWORD)
