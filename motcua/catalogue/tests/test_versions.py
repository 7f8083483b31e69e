"""Version life cycle (draft → published → retired) and the immutability of what dossiers pin."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from motcua.catalogue import versions
from motcua.catalogue.locking import VersionLockedError
from motcua.catalogue.models import (
    ChannelOption,
    Component,
    Fee,
    LegalBasis,
    Procedure,
    ProcedureVersion,
    ResultDocument,
)

Status = ProcedureVersion.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure():
    return Procedure.objects.create(code="9.000010", name="Cấp giấy phép thử nghiệm")


def _draft_with_parts(procedure) -> ProcedureVersion:
    draft = versions.create_draft(procedure, steps_text="Bước 1", levels=["province"])
    Component.objects.create(version=draft, order=1, name="Tờ khai", template_name="Mẫu 01")
    option = ChannelOption.objects.create(
        version=draft, channel="in_person", duration_value=Decimal(5), duration_unit="working_days"
    )
    Fee.objects.create(channel_option=option, name="Lệ phí", amount=50_000)
    ResultDocument.objects.create(version=draft, name="Giấy phép", result_code="KQ.G99.000001")
    LegalBasis.objects.create(version=draft, number="1/2030/NĐ-CP", title="Nghị định thử nghiệm")
    return draft


def test_drafts_are_numbered_in_sequence_per_procedure(procedure):
    first, second = versions.create_draft(procedure), versions.create_draft(procedure)
    assert (first.number, second.number, first.status) == (1, 2, Status.DRAFT)
    assert first.name == procedure.name


def test_a_draft_cannot_be_created_already_published(procedure):
    with pytest.raises(VersionLockedError):
        versions.create_draft(procedure, status=Status.PUBLISHED)
    with pytest.raises(VersionLockedError, match="dự thảo"):
        ProcedureVersion.objects.create(procedure=procedure, number=9, name="x", status=Status.PUBLISHED)


def test_publishing_retires_the_previous_version_at_the_same_instant(procedure):
    first = versions.publish(versions.create_draft(procedure), at=timezone.now() - timedelta(days=10))
    second_draft = versions.create_draft(procedure, name="Cấp giấy phép thử nghiệm (sửa đổi)")
    at = timezone.now()
    second = versions.publish(second_draft, at=at)
    first.refresh_from_db()
    assert (first.status, first.valid_to) == (Status.RETIRED, at)
    assert (second.status, second.valid_from, second.valid_to) == (Status.PUBLISHED, at, None)
    assert procedure.published_version() == second
    procedure.refresh_from_db()
    assert procedure.name == "Cấp giấy phép thử nghiệm (sửa đổi)"  # search follows the version in force


def test_publishing_before_the_current_version_started_is_refused(procedure):
    versions.publish(versions.create_draft(procedure), at=timezone.now())
    with pytest.raises(versions.VersionTransitionError, match="sớm hơn"):
        versions.publish(versions.create_draft(procedure), at=timezone.now() - timedelta(days=1))
    assert procedure.versions.filter(status=Status.PUBLISHED).count() == 1


def test_only_drafts_are_published_and_only_published_versions_retired(procedure):
    version = versions.publish(versions.create_draft(procedure))
    with pytest.raises(versions.VersionTransitionError, match="Chỉ công bố được dự thảo"):
        versions.publish(version)
    versions.retire(version)
    version.refresh_from_db()
    assert version.status == Status.RETIRED and version.valid_to is not None
    with pytest.raises(versions.VersionTransitionError, match="Chỉ phiên bản đang công bố"):
        versions.retire(version)


def test_status_changes_only_through_the_life_cycle_functions(procedure):
    draft = versions.create_draft(procedure)
    draft.status = Status.PUBLISHED
    with pytest.raises(VersionLockedError, match="chỉ thay đổi qua"):
        draft.save()


def test_new_draft_copies_everything_deeply(procedure):
    source = versions.publish(_draft_with_parts(procedure))
    draft = versions.new_draft_from(source)
    assert (draft.number, draft.status, draft.steps_text, draft.levels) == (
        2,
        Status.DRAFT,
        "Bước 1",
        ["province"],
    )
    assert [c.template_name for c in draft.components.all()] == ["Mẫu 01"]
    assert [(r.name, r.result_code) for r in draft.results.all()] == [("Giấy phép", "KQ.G99.000001")]
    assert [b.number for b in draft.legal_bases.all()] == ["1/2030/NĐ-CP"]
    channel = draft.channels.get()
    assert channel.pk != source.channels.get().pk
    assert [(f.name, f.amount) for f in channel.fees.all()] == [("Lệ phí", 50_000)]
    # Editing the copy leaves the published source untouched.
    fee = channel.fees.get()
    fee.amount = 40_000
    fee.save()
    assert source.channels.get().fees.get().amount == 50_000


def test_new_draft_overrides_take_precedence_over_copied_values(procedure):
    from motcua.catalogue.models import Field

    old_field, new_field = (
        Field.objects.create(code="cu", name="Cũ"),
        Field.objects.create(code="moi", name="Mới"),
    )
    source = versions.create_draft(procedure, field=old_field)
    draft = versions.new_draft_from(source, field=new_field, name="Tên mới")
    draft.refresh_from_db()
    assert (draft.field, draft.name) == (new_field, "Tên mới")


def test_a_published_version_refuses_changes_with_a_clear_message(procedure):
    version = versions.publish(_draft_with_parts(procedure))
    version.steps_text = "Bước khác"
    with pytest.raises(VersionLockedError, match="không được sửa") as excinfo:
        version.save()
    assert "steps_text" in str(excinfo.value)
    version.refresh_from_db()
    version.save()  # saving it unchanged is harmless
    with pytest.raises(VersionLockedError, match="chỉ xoá được dự thảo"):
        version.delete()


@pytest.mark.parametrize("part", ["component", "channel", "fee", "result", "legal_basis"])
def test_the_parts_of_a_published_version_refuse_change_creation_and_deletion(procedure, part):
    version = versions.publish(_draft_with_parts(procedure))
    channel = version.channels.get()
    obj = {
        "component": version.components.get(),
        "channel": channel,
        "fee": channel.fees.get(),
        "result": version.results.get(),
        "legal_basis": version.legal_bases.get(),
    }[part]
    obj.save()  # unchanged: allowed
    for field_name in ("name", "description", "number"):
        if hasattr(obj, field_name):
            setattr(obj, field_name, "đã sửa")
            break
    with pytest.raises(VersionLockedError, match="đã công bố"):
        obj.save()
    with pytest.raises(VersionLockedError, match="xoá"):
        type(obj).objects.get(pk=obj.pk).delete()
    with pytest.raises(VersionLockedError):
        Component.objects.create(version=version, name="Giấy tờ thêm")
    with pytest.raises(VersionLockedError):
        Fee.objects.create(channel_option=channel, name="Phí thêm", amount=1)


def test_a_retired_version_is_just_as_locked(procedure):
    version = versions.publish(_draft_with_parts(procedure))
    versions.publish(versions.new_draft_from(version))
    version.refresh_from_db()
    assert version.status == Status.RETIRED
    component = version.components.get()
    component.name = "Tờ khai mới"
    with pytest.raises(VersionLockedError):
        component.save()


def test_a_draft_and_its_parts_can_be_edited_and_deleted(procedure):
    draft = _draft_with_parts(procedure)
    component = draft.components.get()
    component.name = "Tờ khai (sửa)"
    component.save()
    draft.channels.get().fees.get().delete()
    draft.delete()
    assert not ProcedureVersion.objects.filter(pk=draft.pk).exists()
