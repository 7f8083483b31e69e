"""The org admin: Vietnamese screens, diacritic-insensitive search, validity filter, roles on users."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from motcua.org.models import Agency, Role, RoleAssignment


@pytest.fixture
def admin(admin_client, directory):
    return admin_client


def names_in(response):
    return [str(obj) for obj in response.context["cl"].result_list]


@pytest.mark.parametrize("model", ["administrativeunit", "agency", "receptionpoint", "roleassignment"])
def test_every_org_list_and_add_page_opens(admin, model):
    assert admin.get(reverse(f"admin:org_{model}_changelist")).status_code == 200
    assert admin.get(reverse(f"admin:org_{model}_add")).status_code == 200


def test_agency_search_ignores_diacritics_and_d_with_stroke(admin, directory):
    response = admin.get(reverse("admin:org_agency_changelist"), {"q": "so tu phap"})
    assert names_in(response) == [str(directory.justice)]
    response = admin.get(reverse("admin:org_agency_changelist"), {"q": "dong thanh"})
    assert names_in(response) == [str(directory.commune)]


def test_reception_point_search_ignores_diacritics(admin, directory):
    response = admin.get(reverse("admin:org_receptionpoint_changelist"), {"q": "trung tam pvhcc"})
    assert names_in(response) == [str(directory.counter)]


def test_role_assignment_search_finds_by_unit_without_marks(admin, directory):
    response = admin.get(reverse("admin:org_roleassignment_changelist"), {"q": "hanh chinh tu phap"})
    assert sorted(r.split(" — ")[0] for r in names_in(response)) == ["alice", "bob"]


def test_validity_filter_separates_ended_from_current(admin, directory):
    directory.construction.valid_to = date(2025, 6, 30)
    directory.construction.successor = directory.justice
    directory.construction.save()
    url = reverse("admin:org_agency_changelist")
    assert str(directory.construction) in names_in(admin.get(url, {"hieu_luc": "ended"}))
    assert str(directory.construction) not in names_in(admin.get(url, {"hieu_luc": "current"}))
    # The successor's page lists what it took over.
    page = admin.get(reverse("admin:org_agency_change", args=[directory.justice.pk]))
    assert "Sở Xây dựng" in page.content.decode()


def test_user_page_shows_and_saves_roles_inline(admin, directory):
    alice = directory.users["alice"]
    url = reverse("admin:auth_user_change", args=[alice.pk])
    page = admin.get(url)
    assert page.status_code == 200
    assert "Chuyên viên thụ lý" in page.content.decode()

    form = page.context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("password", "groups", "user_permissions")
    }
    data.update({"username": alice.username, "date_joined_0": "01/01/2026", "date_joined_1": "08:00:00"})
    data.update(
        {
            "roles-TOTAL_FORMS": "2",
            "roles-INITIAL_FORMS": "1",
            "roles-0-id": str(alice.roles.get().pk),
            "roles-0-user": str(alice.pk),
            "roles-0-role": Role.SPECIALIST,
            "roles-0-agency": str(directory.civil_division.pk),
            "roles-1-user": str(alice.pk),
            "roles-1-role": Role.ONE_STOP,
            "roles-1-agency": str(directory.centre.pk),
            "roles-1-reception_point": "",
        }
    )
    response = admin.post(url, data)
    # A one-stop role without a counter is refused with the model's Vietnamese message…
    assert response.status_code == 200
    assert "Cán bộ một cửa phải gắn với một bộ phận tiếp nhận." in response.content.decode()
    data["roles-1-reception_point"] = str(directory.counter.pk)
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert set(RoleAssignment.objects.filter(user=alice).values_list("role", flat=True)) == {
        Role.SPECIALIST,
        Role.ONE_STOP,
    }


def test_user_list_filters_staff_from_citizens(admin, directory, django_user_model):
    django_user_model.objects.create_user("congdan")
    url = reverse("admin:auth_user_changelist")
    citizens = [u.username for u in admin.get(url, {"loai": "citizen"}).context["cl"].result_list]
    assert "congdan" in citizens and "alice" not in citizens
    staff = [u.username for u in admin.get(url, {"loai": "staff"}).context["cl"].result_list]
    assert "alice" in staff and "congdan" not in staff


def test_agency_autocomplete_ignores_diacritics(admin, directory):
    response = admin.get(
        reverse("admin:autocomplete"),
        {"term": "so xay dung", "app_label": "org", "model_name": "roleassignment", "field_name": "agency"},
    )
    assert [r["text"] for r in response.json()["results"]] == [str(Agency.objects.get(code="000.00.06.H99"))]
