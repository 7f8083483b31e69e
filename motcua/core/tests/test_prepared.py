"""Prepared reads (motcua/core/prepared.py) give exactly what their plain querysets give."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from motcua.core.prepared import PreparedQuery
from motcua.dossiers import commands
from motcua.dossiers.models import Dossier
from motcua.dossiers.queries import _AGENCIES, _POINTS
from motcua.org.models import Agency, ReceptionPoint

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=VN)


def columns(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def chain(agency) -> list:
    """The agency, its parents as the scope rule climbs them, and their places, as loaded."""
    out = []
    while agency is not None:
        out.append(columns(agency))
        if agency.admin_unit_id and Agency.admin_unit.is_cached(agency):
            unit = agency.admin_unit
            out.append(columns(unit))
            if unit.province_id and type(unit).province.is_cached(unit):
                out.append(columns(unit.province))
        agency = agency.parent if Agency.parent.is_cached(agency) else None
    return out


@pytest.fixture
def dossiers(world):
    made = [commands.receive_new(world.alice, world.receive_payload(), now=WHEN) for _ in range(2)]
    commands.execute(
        made[0].code, "transfer", world.alice, {"handling_unit_id": world.civil_status.pk}, now=WHEN
    )
    return made


def test_the_row_lock_reads_what_the_orm_reads(dossiers):
    for dossier in dossiers:
        with transaction.atomic():
            [prepared] = commands._LOCK_QUERY.fetch(dossier.code)
            [plain] = list(commands._locking_read(dossier.code))
        assert columns(prepared) == columns(plain)
        assert prepared.locked_last_hash == plain.locked_last_hash and prepared.locked_last_hash
        for link in ("procedure", "process", "procedure_version"):
            assert type(prepared)._meta.get_field(link).is_cached(prepared)
            assert columns(getattr(prepared, link)) == columns(getattr(plain, link))
        assert prepared.procedure_version.field_id == plain.procedure_version.field_id
        assert not prepared._state.adding and prepared._state.db == "default"
    with transaction.atomic():
        assert commands._LOCK_QUERY.fetch("000.00.10.H99-260302-9999") == []


def test_the_lock_answers_each_code_with_its_own_dossier(dossiers):
    with transaction.atomic():
        codes = [commands._LOCK_QUERY.fetch(d.code)[0].code for d in reversed(dossiers)]
    assert codes == [d.code for d in reversed(dossiers)]


def test_the_places_read_what_in_bulk_reads(world, dossiers):
    related = ("parent__parent__parent", "admin_unit__province", "parent__admin_unit__province")
    agencies = [world.civil_status.pk, world.justice.pk, world.province.pk]
    for n in (1, 2, 3):  # one compilation per list length
        ids = agencies[:n]
        prepared = {a.pk: a for a in _AGENCIES.fetch(ids)}
        plain = Agency.objects.select_related(*related).in_bulk(ids)
        assert set(prepared) == set(ids)
        assert {pk: chain(a) for pk, a in prepared.items()} == {pk: chain(a) for pk, a in plain.items()}
    points = [world.centre.pk, world.commune_centre.pk]
    prepared_points = {p.pk: p for p in _POINTS.fetch(points)}
    plain_points = ReceptionPoint.objects.select_related("agency__parent").in_bulk(points)
    assert {pk: (columns(p), chain(p.agency)) for pk, p in prepared_points.items()} == {
        pk: (columns(p), chain(p.agency)) for pk, p in plain_points.items()
    }


def test_a_command_after_the_lock_is_prepared_still_sees_the_latest_row(world, dossiers):
    dossier = dossiers[0]
    commands.execute(dossier.code, "assign", world.bob, {"assignee_id": world.carol.pk}, now=WHEN)
    with transaction.atomic():
        [prepared] = commands._LOCK_QUERY.fetch(dossier.code)
    assert prepared.holder_user_id == world.carol.pk
    assert prepared.version == Dossier.objects.get(pk=dossier.pk).version == 3


@pytest.mark.django_db
def test_a_value_that_does_not_reach_the_sql_unchanged_is_refused():
    # `startswith` sends "value%" (escaped): the marker cannot be found among the parameters.
    query = PreparedQuery(lambda code: Dossier.objects.filter(code__startswith=code))
    with pytest.raises(ValueError, match="cannot be prepared"):
        query.fetch("000.00.10")


@pytest.mark.django_db
def test_a_value_used_twice_is_filled_in_both_places(dossiers):
    query = PreparedQuery(lambda code: Dossier.objects.filter(code=code).exclude(code__in=[code, "x"]))
    assert query.fetch(dossiers[0].code) == []
    both = PreparedQuery(lambda code: Dossier.objects.filter(code=code) | Dossier.objects.filter(code=code))
    assert [d.pk for d in both.fetch(dossiers[1].code)] == [dossiers[1].pk]


def test_an_empty_list_is_refused_rather_than_compiled():
    with pytest.raises(ValueError, match="empty list"):
        _AGENCIES.fetch([])
