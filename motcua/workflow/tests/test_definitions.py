import copy

import pytest
import yaml
from django.core.management import call_command

from motcua.workflow.definition import ProcessError, parse_process
from motcua.workflow.diagram import render_svg
from motcua.workflow.loader import BUILTIN_DIR, export_process, import_process
from motcua.workflow.models import ProcessDefinition, resolve_process

DEFAULT = yaml.safe_load((BUILTIN_DIR / "default.yaml").read_text(encoding="utf-8"))


def test_the_built_in_process_is_valid_and_walks_one_stop_to_return():
    process = parse_process(DEFAULT)
    assert [s.role for s in process.steps] == [
        "one_stop",
        "head",
        "specialist",
        "head",
        "leader",
        "clerk",
        "one_stop",
    ]
    assert process.role_for("tham_dinh", "approve_supplement_request") == "head"
    assert process.role_for("tham_dinh", "forward") == "specialist"
    assert process.role_for("tiep_nhan", "approve") is None


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (
            lambda d: d["transitions"].append(
                {"from": "tiep_nhan", "action": "teleport", "to": "tra_ket_qua"}
            ),
            "không phải thao tác chuyển bước",
        ),
        (lambda d: d["transitions"][2].update(guards=["eval('1')"]), "không thuộc danh mục"),
        (lambda d: d["steps"][1].update(role="janitor"), "vai trò"),
        (
            lambda d: d["steps"].append(
                {"key": "mo_coi", "name": "Bước mồ côi", "role": "clerk", "unit": "competent"}
            ),
            "không thể đến được",
        ),
        (
            lambda d: d["transitions"].append({"from": "tiep_nhan", "action": "forward", "to": "ghost"}),
            "không tồn tại",
        ),
        (lambda d: d["transitions"].pop(), "return_result"),
        (lambda d: d["steps"][2].update(allows=["rm_rf"]), "thao tác tại bước"),
    ],
)
def test_an_unsound_process_is_refused_with_every_problem_named(mutate, problem):
    data = copy.deepcopy(DEFAULT)
    mutate(data)
    with pytest.raises(ProcessError) as err:
        parse_process(data)
    assert any(problem in p for p in err.value.problems), err.value.problems


def test_a_step_that_cannot_reach_the_end_is_refused():
    data = copy.deepcopy(DEFAULT)
    data["steps"].append({"key": "ho_den", "name": "Hố đen", "role": "clerk", "unit": "competent"})
    data["transitions"].append({"from": "ban_hanh", "action": "forward", "to": "ho_den"})
    with pytest.raises(ProcessError, match="không thể đi đến kết thúc"):
        parse_process(data)


def test_budgets_over_the_legal_duration_are_a_warning_not_an_error():
    from decimal import Decimal

    process = parse_process(DEFAULT, procedure_budget_hours=Decimal(24))
    assert process.warnings and "vượt thời hạn" in process.warnings[0]


@pytest.mark.django_db
def test_import_is_idempotent_and_a_change_makes_a_new_version(tmp_path):
    text = (BUILTIN_DIR / "default.yaml").read_text(encoding="utf-8")
    first, created = import_process(text, publish_now=True)
    again, created_again = import_process(text, publish_now=True)
    assert created and not created_again and first.pk == again.pk
    changed = copy.deepcopy(DEFAULT)
    changed["steps"][2]["budget_hours"] = 16
    second, created = import_process(yaml.safe_dump(changed, allow_unicode=True), publish_now=True)
    first.refresh_from_db()
    assert created and second.number == 2 and first.status == "retired" and second.status == "published"
    assert yaml.safe_load(export_process(second)) == changed


@pytest.mark.django_db
def test_a_published_definition_cannot_be_edited():
    from django.core.exceptions import ValidationError

    definition, _ = import_process(
        (BUILTIN_DIR / "default.yaml").read_text(encoding="utf-8"), publish_now=True
    )
    definition.spec = {**definition.spec, "name": "Sửa lén"}
    with pytest.raises(ValidationError):
        definition.save()


@pytest.mark.django_db
def test_the_most_specific_published_process_wins(world):
    generic = ProcessDefinition.objects.get(code="mac-dinh", status="published")
    specific = ProcessDefinition.objects.create(
        code="khai-sinh",
        name="Khai sinh",
        spec={**DEFAULT, "code": "khai-sinh"},
        procedure=world.procedure,
        status="published",
    )
    chain = [a.pk for a in world.justice.ancestors_and_self()]
    assert resolve_process(world.procedure.pk, chain) == specific
    assert resolve_process(None, chain) == generic


@pytest.mark.django_db
def test_export_and_import_commands_round_trip(tmp_path, capsys):
    import_process((BUILTIN_DIR / "default.yaml").read_text(encoding="utf-8"), publish_now=True)
    out = tmp_path / "p.yaml"
    call_command("process", "export", "mac-dinh", "-o", str(out))
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == DEFAULT
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: x\nname: y\nsteps: []\n", encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ít nhất một bước"):
        call_command("process", "import", str(bad))


def test_the_diagram_draws_every_step_and_transition():
    svg = render_svg(parse_process(DEFAULT))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for step in DEFAULT["steps"]:
        assert step["name"][:20] in svg
    assert svg.count("marker-end") == len(DEFAULT["transitions"])
