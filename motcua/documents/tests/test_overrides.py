"""Template overrides per agency: the most specific active one wins; a broken one is refused on save."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from motcua.documents.forms import form_context, render_pdf
from motcua.documents.models import FormTemplate
from motcua.documents.samples import sample_context

from . import pdfcheck
from .drive import fresh, receive

FORMS = ["01", "02", "03", "04", "05", "06", "07"]


def marked(text: str) -> str:
    """An override that keeps the built-in receipt and adds a line of its own."""
    return (
        '{% extends "documents/forms/mau-01.html" %}'
        "{% block footer %}<p>" + text + " — {{ dossier.code }}</p>{% endblock %}"
    )


def saved(**fields) -> FormTemplate:
    template = FormTemplate(**fields)
    template.full_clean()
    template.save()
    return template


@pytest.fixture
def two_counters(world):
    """One dossier received at the provincial centre, one at the commune's counter (both decided by Sở Tư
    pháp, regardless of boundaries)."""
    at_centre = fresh(receive(world))
    at_commune = fresh(receive(world, user=world.olga, reception_point_id=world.commune_centre.pk))
    return at_centre, at_commune


def test_an_agencys_override_is_used_for_that_agency_only(world, two_counters):
    at_centre, at_commune = two_counters
    saved(form="01", agency=world.centre.agency, html=marked("Mẫu riêng của Trung tâm"))
    centre_text = pdfcheck.text(render_pdf("01", at_centre))
    commune_text = pdfcheck.text(render_pdf("01", at_commune))
    assert f"Mẫu riêng của Trung tâm — {at_centre.code}" in centre_text
    assert "Mẫu riêng của Trung tâm" not in commune_text
    # Everything else of the built-in receipt is still there.
    assert at_centre.code in centre_text and "Nguyễn Thị Hồng Nhung" in centre_text


def test_the_nearest_override_wins_then_ancestors_then_the_default(world, two_counters):
    at_centre, at_commune = two_counters
    saved(form="01", agency=None, html=marked("Mẫu mặc định toàn hệ thống"))
    assert "Mẫu mặc định toàn hệ thống" in pdfcheck.text(render_pdf("01", at_commune))
    saved(form="01", agency=world.province, html=marked("Mẫu của UBND tỉnh"))
    saved(form="01", agency=world.centre.agency, html=marked("Mẫu của Trung tâm"))
    centre_text = pdfcheck.text(render_pdf("01", at_centre))
    commune_text = pdfcheck.text(render_pdf("01", at_commune))
    assert "Mẫu của Trung tâm" in centre_text and "Mẫu của UBND tỉnh" not in centre_text
    assert "Mẫu của UBND tỉnh" in commune_text  # the commune inherits from its province
    assert "Mẫu mặc định" not in centre_text + commune_text


def test_a_broken_override_written_around_the_admin_falls_back_to_the_built_in_form(
    world, two_counters, caplog
):
    at_centre, _ = two_counters
    broken = FormTemplate.objects.create(
        form="01", agency=world.centre.agency, html="{% if %}"
    )  # no full_clean
    text = pdfcheck.text(render_pdf("01", at_centre))
    assert at_centre.code in text and "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert f"template override #{broken.pk} of form 01 failed" in caplog.text


def test_an_inactive_override_is_ignored(world, two_counters):
    at_centre, _ = two_counters
    saved(form="01", agency=world.centre.agency, html=marked("Mẫu đã tắt"), active=False)
    assert "Mẫu đã tắt" not in pdfcheck.text(render_pdf("01", at_centre))


def test_an_override_of_another_form_does_not_touch_this_one(world, two_counters):
    at_centre, _ = two_counters
    saved(form="03", agency=world.centre.agency, html="<p>Chỉ cho Mẫu 03 {{ applicant.name }}</p>")
    assert "Chỉ cho Mẫu 03" not in pdfcheck.text(render_pdf("01", at_centre))


def test_css_alone_restyles_the_built_in_form(world, two_counters):
    at_centre, _ = two_counters
    saved(
        form="01",
        agency=world.centre.agency,
        css='.form-number::after { content: " — bản của Trung tâm"; }',
    )
    text = pdfcheck.text(render_pdf("01", at_centre))
    assert "bản của Trung tâm" in text and at_centre.code in text


@pytest.mark.parametrize(
    ("fields", "where", "message"),
    [
        ({"html": "{% if %}<p>x</p>"}, "html", "cú pháp"),
        ({"html": '{% extends "documents/forms/khong-co.html" %}'}, "html", "không tồn tại"),
        ({"html": "{% load khong_co_thu_vien %}"}, "html", "cú pháp"),
        ({"css": "p { color: khong-phai-mau; }"}, "css", "Mẫu có lỗi"),
        ({"html": '<img src="file:///etc/passwd">'}, "html", "Mẫu có lỗi"),
        ({"html": "", "css": "   "}, "__all__", "HTML hoặc CSS"),
    ],
)
def test_a_broken_override_is_refused_with_the_error(world, fields, where, message):
    template = FormTemplate(form="01", agency=world.justice, **fields)
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    errors = caught.value.message_dict
    assert where in errors, errors
    assert any(message in m for m in errors[where]), errors
    assert not FormTemplate.objects.exists()


def test_two_active_overrides_for_the_same_agency_are_refused(world):
    saved(form="01", agency=world.justice, css="p { color: #111; }")
    with pytest.raises(ValidationError, match="đang áp dụng"):
        saved(form="01", agency=world.justice, css="p { color: #222; }")
    saved(form="01", agency=world.justice, css="p { color: #333; }", active=False)  # a kept old version
    # The database says the same for writes that bypass validation, including the default (NULL agency).
    saved(form="02", agency=None, css="p { color: #111; }")
    with pytest.raises(IntegrityError), transaction.atomic():
        FormTemplate.objects.create(form="02", agency=None, css="p { color: #222; }")


@pytest.mark.parametrize("form", FORMS)
def test_every_built_in_form_renders_its_sample_without_a_warning(form):
    from motcua.documents.rendering import check_override

    pdf = check_override(form, "", "")  # raises on any WeasyPrint warning
    assert pdfcheck.text(pdf)


def _shape(value):
    """Keys, recursively (list items by their first element): what a template can rely on."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__ if isinstance(value, bool | int) else "text"


def _drive(world, form):
    from .drive import run, submit_online, to_appraisal

    if form == "03":
        dossier = submit_online(world)
        run(dossier, "refuse", world.alice, {"reasons": ["Không thuộc thẩm quyền"]})
        return fresh(dossier)
    dossier = to_appraisal(world, receive(world))
    if form == "02":
        run(dossier, "request_supplement", world.carol, {"items": ["A"], "reason": "B", "legal_basis": "C"})
        run(dossier, "approve_supplement_request", world.bob)
    if form == "04":
        run(dossier, "extend", world.dave, {"new_due_at": "2026-03-20T17:00:00+07:00", "reason": "R"})
    if form == "05":
        run(dossier, "stop", world.dave, {"reason": "R"})
    return fresh(dossier)


@pytest.mark.parametrize("form", ["01", "02", "03", "04", "05", "06"])
def test_the_sample_data_has_the_shape_of_the_real_data(world, form):
    """An override checked against the samples must work on real dossiers: same variables, same nesting."""
    _agency, real = form_context(form, _drive(world, form))
    sample = sample_context(form)
    real_shape, sample_shape = _shape(real), _shape(sample)
    # Lists that are empty in one of them (e.g. no coordinating agency) only need to exist in both.
    for key in real_shape:
        if real_shape[key] == [] or sample_shape.get(key) == []:
            real_shape[key] = sample_shape[key] = []
    assert real_shape == sample_shape
