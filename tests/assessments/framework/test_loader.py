import time
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from assessments.framework.loader import (
    DEFAULT_FRAMEWORK_FILE,
    FrameworkFileError,
    load_framework_file,
    load_framework_text,
)
from assessments.models import Dimension, Framework, OwnerRole, Question
from tests.factories import AssessmentFactory, RoundFactory

pytestmark = pytest.mark.django_db

GATED = {
    "identity-management.staff-identity": (2, OwnerRole.ICT_MANAGER),
    "identity-management.citizen-identity": (2, OwnerRole.ICT_MANAGER),
    "identity-management.identity-federation": (2, OwnerRole.ICT_MANAGER),
    "governance.funding-formula": (3, OwnerRole.EXECUTIVE),
}


def shipped_data() -> dict:
    return yaml.safe_load(DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_the_shipped_framework_has_nine_dimensions_of_four_to_seven_statements():
    framework = load_framework_file().framework
    dimensions = list(framework.dimensions.order_by("position"))
    assert [d.name for d in dimensions] == [
        "Business scope",
        "Governance",
        "Legal issues",
        "Information sharing",
        "Identity management",
        "Federation",
        "Transactions, events and messages",
        "Infrastructure",
        "Sustainability",
    ]
    for dimension in dimensions:
        assert 4 <= dimension.questions.count() <= 7, dimension.name
    assert not Question.objects.filter(dimension__framework=framework, guidance="").exists()


def test_identity_and_funding_statements_carry_their_gates():
    framework = load_framework_file().framework
    gated = {
        q.code: (q.gate_level, q.gate_owner)
        for q in Question.objects.filter(dimension__framework=framework, gate_level__isnull=False)
    }
    assert gated == GATED
    descriptors = Question.objects.get(
        code="identity-management.citizen-identity"
    ).level_descriptors
    assert len(descriptors) == 5


def test_loading_the_same_file_twice_changes_nothing(capsys):
    call_command("load_framework")
    call_command("load_framework")
    assert Framework.objects.count() == 1
    assert Dimension.objects.count() == 9
    assert "already loaded; nothing changed" in capsys.readouterr().out


def test_a_changed_file_becomes_a_new_version_and_the_used_one_is_untouched(tmp_path):
    first = load_framework_file().framework
    AssessmentFactory(round=RoundFactory(framework=first))
    original_statement = Question.objects.get(
        dimension__framework=first, code="governance.funding-formula"
    ).statement

    data = shipped_data()
    data["dimensions"][1]["questions"][1]["statement"] = "A changed funding statement."
    second = load_framework_file(write(tmp_path, data)).framework

    assert (first.version, second.version) == (1, 2)
    assert first.pk != second.pk
    assert (
        Question.objects.get(
            dimension__framework=first, code="governance.funding-formula"
        ).statement
        == original_statement
    )
    assert (
        Question.objects.get(
            dimension__framework=second, code="governance.funding-formula"
        ).statement
        == "A changed funding statement."
    )
    assert load_framework_file(write(tmp_path, data)).created is False


def test_a_broken_file_is_refused_with_every_problem_listed_and_nothing_loaded(tmp_path):
    data = shipped_data()
    del data["dimensions"][8]
    data["dimensions"][0]["questions"][0]["weight"] = 0
    data["dimensions"][0]["questions"][1]["levels"] = ["only one"]
    data["dimensions"][4]["questions"][0]["gate"] = {"level": 9, "owner": "nobody"}
    with pytest.raises(CommandError) as error:
        call_command("load_framework", str(write(tmp_path, data)))
    message = str(error.value)
    assert "List exactly 9 'dimensions' (found 8)" in message
    assert "weight 0" in message
    assert "exactly 5 texts" in message
    assert "gate level 9" in message
    assert "gate owner 'nobody'" in message
    assert Framework.objects.count() == 0


def test_a_file_that_is_not_yaml_is_refused_plainly(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("dimensions: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="is not valid YAML"):
        call_command("load_framework", str(path))
    with pytest.raises(CommandError, match="Could not read"):
        call_command("load_framework", str(tmp_path / "missing.yaml"))


# ---------------------------------------------------------------- hostile files


def billion_laughs(levels: int = 9) -> str:
    """About 1 KB that expands to 9**9 (387 million) strings through nested aliases."""
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        aliases = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_file_is_refused_fast_with_a_short_message():
    started = time.monotonic()
    with pytest.raises(FrameworkFileError) as error:
        load_framework_text(billion_laughs(), source="laughs.yaml")
    assert time.monotonic() - started < 2
    message = str(error.value)
    assert message == (
        "laughs.yaml uses YAML anchors or aliases (& or *), first at line 1. "
        "Write each value out in full, then load the file again."
    )
    assert Framework.objects.count() == 0


def test_an_alias_under_a_key_the_loader_ignores_is_refused(tmp_path):
    """Valid in every other way: the bomb sits under a key nothing reads."""
    bomb = "".join(f"  {line}\n" for line in billion_laughs().splitlines())
    text = DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8") + "\nnotes:\n" + bomb
    path = tmp_path / "framework.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="uses YAML anchors or aliases"):
        call_command("load_framework", str(path))
    assert Framework.objects.count() == 0


def test_a_single_anchor_or_merge_key_is_refused_too():
    data = "name: &name Partnership readiness\nother: *name\n"
    with pytest.raises(FrameworkFileError, match="first at line 1"):
        load_framework_text(data, source="anchor.yaml")
    merge = "base: &base {weight: 1}\nquestion:\n  <<: *base\n"
    with pytest.raises(FrameworkFileError, match="anchors or aliases"):
        load_framework_text(merge, source="merge.yaml")


def test_absurdly_deep_nesting_is_refused_plainly_not_with_a_crash():
    with pytest.raises(FrameworkFileError, match="nested more than 20 levels deep"):
        load_framework_text("dimensions: " + "[" * 100_000, source="deep.yaml")


def test_a_huge_value_quoted_in_a_message_is_cut_short():
    statement = "The partnership has a written scoping statement. " * 2_100  # ~100 KB
    data = shipped_data()
    data["dimensions"][0]["questions"][0]["owner"] = statement
    data["dimensions"][0]["questions"][1]["weight"] = statement
    with pytest.raises(FrameworkFileError) as error:
        load_framework_text(yaml.safe_dump(data), source="huge.yaml")
    message = str(error.value)
    assert len(statement) > 100_000
    assert len(message) < 1_000
    cut = repr(statement)[:79] + "\u2026"
    assert f"question 1 has owner {cut}; use one of" in message
    assert f"question 2 has weight {cut}; use a whole number" in message
    assert Framework.objects.count() == 0


def test_a_file_with_hundreds_of_problems_lists_the_first_20():
    data = shipped_data()
    for dimension in data["dimensions"]:
        dimension["questions"] = [{"code": ""} for _ in range(50)]
    with pytest.raises(FrameworkFileError) as error:
        load_framework_text(yaml.safe_dump(data), source="many.yaml")
    lines = str(error.value).splitlines()
    assert lines[0] == "many.yaml has 900 problem(s):"
    assert len(lines) == 1 + 20 + 1
    assert lines[-1] == "- and 880 more problem(s), not listed here."


@pytest.mark.parametrize(
    "value", ["2026-13-45", "1" * 5_000], ids=["impossible-date", "5000-digit-number"]
)
def test_a_value_yaml_cannot_build_is_refused_plainly_not_with_a_crash(value):
    with pytest.raises(FrameworkFileError, match="has a value that cannot be read") as error:
        load_framework_text(f"name: x\nreviewed: {value}\n", source="odd.yaml")
    assert len(str(error.value)) < 250
