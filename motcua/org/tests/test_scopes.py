"""Role and unit scope: who may act where (rules in motcua/org/scopes.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from motcua.org.models import Role, RoleAssignment
from motcua.org.scopes import (
    agencies_in_scope,
    has_role,
    home_agency,
    is_supervisor_of,
    reception_points_of,
    roles_of,
    users_with_role,
)


def names(queryset):
    return sorted(a.name for a in queryset)


def test_roles_of_lists_the_valid_assignments_only(directory):
    grace = directory.users["grace"]
    assert list(roles_of(grace)) == []
    assert [a.role for a in roles_of(grace, at=date(2024, 5, 1))] == [Role.LEADER]
    assert [a.role for a in roles_of(directory.users["alice"])] == [Role.SPECIALIST]


def test_validity_dates_are_inclusive_on_both_ends(directory):
    grace = directory.users["grace"]
    assert has_role(grace, Role.LEADER, directory.justice, at=date(2020, 1, 1))
    assert has_role(grace, Role.LEADER, directory.justice, at=date(2025, 6, 30))
    assert not has_role(grace, Role.LEADER, directory.justice, at=date(2025, 7, 1))
    assert not has_role(grace, Role.LEADER, directory.justice, at=date(2019, 12, 31))


def test_an_inactive_or_anonymous_user_has_no_role(directory):
    alice = directory.users["alice"]
    alice.is_active = False
    alice.save()
    assert not has_role(alice, Role.SPECIALIST)
    assert not roles_of(AnonymousUser()).exists()
    assert not roles_of(None).exists()


def test_a_role_on_an_agency_covers_its_divisions_at_any_depth(directory):
    carol = directory.users["carol"]
    assert has_role(carol, Role.LEADER, directory.justice)
    assert has_role(carol, Role.LEADER, directory.civil_division)
    assert has_role(carol, Role.LEADER, directory.civil_team)


def test_a_role_on_a_division_does_not_reach_its_parent_agency(directory):
    alice = directory.users["alice"]
    assert has_role(alice, Role.SPECIALIST, directory.civil_division)
    assert not has_role(alice, Role.SPECIALIST, directory.justice)


def test_an_operational_role_does_not_reach_subordinate_agencies(directory):
    frank = directory.users["frank"]
    assert has_role(frank, Role.LEADER, directory.commune)
    assert not has_role(frank, Role.LEADER, directory.province)
    carol = directory.users["carol"]
    assert not has_role(carol, Role.LEADER, directory.construction)


def test_a_role_is_only_the_role_assigned(directory):
    bob = directory.users["bob"]
    assert has_role(bob, Role.HEAD, directory.civil_division)
    assert not has_role(bob, Role.SPECIALIST, directory.civil_division)
    assert not has_role(bob, Role.LEADER)


def test_superuser_flag_grants_no_domain_role(directory):
    alice = directory.users["alice"]
    alice.is_superuser = True
    alice.save()
    assert not has_role(alice, Role.LEADER, directory.justice)


def test_supervisor_in_the_provincial_office_supervises_the_whole_province(directory):
    dave = directory.users["dave"]
    for agency in (directory.province, directory.justice, directory.civil_team, directory.commune):
        assert is_supervisor_of(dave, agency), agency
    assert not is_supervisor_of(directory.users["carol"], directory.justice)


def test_home_agency_of_a_division_is_the_agency_it_belongs_to(directory):
    assert home_agency(directory.civil_team) == directory.justice
    assert home_agency(directory.office) == directory.province
    assert home_agency(directory.justice) == directory.justice


def test_agencies_in_scope_of_a_leader_are_the_agency_and_its_divisions(directory):
    scope = agencies_in_scope(directory.users["carol"], Role.LEADER)
    assert names(scope) == ["Phòng Hành chính tư pháp", "Sở Tư pháp", "Tổ hộ tịch"]


def test_agencies_in_scope_of_a_supervisor_are_the_whole_tree(directory):
    scope = agencies_in_scope(directory.users["dave"], Role.SUPERVISOR)
    assert scope.count() == 8
    assert directory.commune in scope


def test_agencies_in_scope_is_empty_without_that_role(directory):
    assert not agencies_in_scope(directory.users["alice"], Role.LEADER).exists()
    assert not agencies_in_scope(directory.users["grace"], Role.LEADER).exists()


def test_one_person_may_hold_several_roles_in_several_units(directory):
    heidi = directory.users["heidi"]
    RoleAssignment.objects.create(user=heidi, role=Role.SPECIALIST, agency=directory.civil_division)
    RoleAssignment.objects.create(user=heidi, role=Role.HEAD, agency=directory.construction)
    assert names(agencies_in_scope(heidi, Role.SPECIALIST)) == [
        "Phòng Hành chính tư pháp",
        "Sở Xây dựng",
        "Tổ hộ tịch",
    ]
    assert has_role(heidi, Role.HEAD, directory.construction)
    assert not has_role(heidi, Role.HEAD, directory.civil_division)


def test_users_with_role_finds_who_can_act_in_a_unit(directory):
    leaders = users_with_role(Role.LEADER, directory.civil_team)
    assert [u.username for u in leaders] == ["carol"]
    assert [u.username for u in users_with_role(Role.LEADER, directory.civil_team, at=date(2024, 1, 1))] == [
        "carol",
        "grace",
    ]
    assert [u.username for u in users_with_role(Role.SUPERVISOR, directory.commune)] == ["dave"]
    assert not users_with_role(Role.HEAD, directory.construction).exists()


def test_reception_points_of_a_one_stop_officer(directory):
    assert list(reception_points_of(directory.users["erin"])) == [directory.counter]
    assert not reception_points_of(directory.users["alice"]).exists()
    directory.counter.is_active = False
    directory.counter.save()
    assert not reception_points_of(directory.users["erin"]).exists()


def test_an_unknown_role_is_a_programming_error(directory):
    with pytest.raises(ValueError, match="unknown role"):
        has_role(directory.users["alice"], "mayor", directory.justice)
