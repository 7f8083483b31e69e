"""The catalogue admin: read-only published versions, actions, folded search, filters, import records."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from motcua.catalogue import versions
from motcua.catalogue.importers.runner import import_path
from motcua.catalogue.models import Component, Procedure, ProcedureVersion

from .factories import national_record, write_jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("quantri", "quantri@example.invalid", "mat-khau-dai-123")
    client.force_login(user)
    return client


@pytest.fixture
def imported(tmp_path):
    raw = national_record("9.000001", can_cu_phap_ly="Tên văn bản pháp lýMã văn bảnVăn bản không số hiệu")
    run = import_path(
        write_jsonl(tmp_path / "ds.jsonl", [raw, national_record("9.000002"), "không phải JSON"])
    )
    return run


def change_url(obj) -> str:
    return reverse(f"admin:catalogue_{obj._meta.model_name}_change", args=[obj.pk])


def test_every_catalogue_admin_page_opens(admin_client, imported):
    version = ProcedureVersion.objects.get(procedure__code="9.000001")
    for name in ("field", "procedure", "procedureversion", "importrun", "importrecord"):
        assert admin_client.get(reverse(f"admin:catalogue_{name}_changelist")).status_code == 200
    for obj in (version, version.procedure, version.field, imported, imported.records.first()):
        assert admin_client.get(change_url(obj)).status_code == 200
    assert admin_client.get(change_url(version.channels.first())).status_code == 200


def test_a_published_version_is_shown_read_only_and_a_draft_is_editable(admin_client, imported):
    version = ProcedureVersion.objects.get(procedure__code="9.000002")
    page = admin_client.get(change_url(version)).content.decode()
    assert 'name="name"' in page and 'name="components-0-name"' in page
    versions.publish(version)
    page = admin_client.get(change_url(version)).content.decode()
    assert 'name="name"' not in page and 'name="components-0-name"' not in page
    assert "Tờ khai đề nghị cấp giấy phép" in page  # the components are still shown
    response = admin_client.post(change_url(version), {"name": "Sửa trái phép"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.name != "Sửa trái phép"


def test_the_publish_and_new_draft_actions(admin_client, imported):
    version = ProcedureVersion.objects.get(procedure__code="9.000002")
    url = reverse("admin:catalogue_procedureversion_changelist")
    admin_client.post(url, {"action": "publish_selected", "_selected_action": [version.pk]})
    version.refresh_from_db()
    assert version.status == ProcedureVersion.Status.PUBLISHED
    response = admin_client.post(
        url, {"action": "new_draft_selected", "_selected_action": [version.pk]}, follow=True
    )
    draft = ProcedureVersion.objects.get(procedure=version.procedure, number=2)
    assert draft.status == ProcedureVersion.Status.DRAFT and draft.components.count() == 2
    assert "Đã tạo dự thảo" in response.content.decode()
    response = admin_client.post(
        url, {"action": "publish_selected", "_selected_action": [version.pk]}, follow=True
    )
    assert "Chỉ công bố được dự thảo" in response.content.decode()


def test_admin_search_ignores_diacritics_and_ranks_like_the_catalogue_search(admin_client):
    Procedure.objects.create(code="1.001193", name="Đăng ký khai sinh")
    Procedure.objects.create(code="1.000656", name="Đăng ký khai tử")
    page = admin_client.get(reverse("admin:catalogue_procedure_changelist"), {"q": "dang ky khai sinh"})
    content = page.content.decode()
    assert "Đăng ký khai sinh" in content and "Đăng ký khai tử" not in content


def test_version_filters_by_status_import_status_and_level(admin_client, imported):
    url = reverse("admin:catalogue_procedureversion_changelist")
    partial = admin_client.get(url, {"import_status__exact": "partial"}).content.decode()
    assert "9.000001" in partial and "9.000002" not in partial
    assert "9.000001" in admin_client.get(url, {"level": "commune"}).content.decode()
    assert "9.000001" not in admin_client.get(url, {"level": "ministry"}).content.decode()
    assert "9.000001" in admin_client.get(url, {"status__exact": "draft", "q": "9.000001"}).content.decode()


def test_import_records_show_status_and_unparsed_text(admin_client, imported):
    url = reverse("admin:catalogue_importrecord_changelist")
    assert "JSON không hợp lệ" in admin_client.get(url, {"status__exact": "rejected"}).content.decode()
    partial = imported.records.get(status="partial")
    page = admin_client.get(change_url(partial)).content.decode()
    assert "Văn bản không số hiệu" in page and "can_cu_phap_ly" in page


def test_a_draft_added_in_the_admin_gets_the_next_number(admin_client, imported):
    procedure = Procedure.objects.get(code="9.000002")
    response = admin_client.post(
        reverse("admin:catalogue_procedureversion_add"),
        {
            "procedure": procedure.pk,
            "name": "Phiên bản nhập tay",
            "levels": "[]",
            "subjects": "[]",
            "online_level": "none",
            "supplement_policy": "pause",
            "regardless_of_boundary": "on",
            **{
                f"{prefix}-TOTAL_FORMS": "0"
                for prefix in ("components", "channels", "results", "legal_bases")
            },
            **{
                f"{prefix}-INITIAL_FORMS": "0"
                for prefix in ("components", "channels", "results", "legal_bases")
            },
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = ProcedureVersion.objects.get(name="Phiên bản nhập tay")
    assert (added.number, added.status) == (2, ProcedureVersion.Status.DRAFT)
    assert not Component.objects.filter(version=added).exists()
