"""The rule catalogue: ids are unique and described, `cfncompiler rules` lists them, and every rule
is seen firing by at least one bad case in the rule tests (so a rule nobody tests is noticed), and every
problem those cases report names its rule. A warning rule fires in a warned case: the spec loads and
the warning is reported beside it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cfncompiler.cli import main
from cfncompiler.spec.load import load, rule_warnings
from cfncompiler.spec.rules import RULES, SCHEMA_RULES
from tests.conftest import minimal_text
from tests.spec.rules.test_alarms import BAD as ALARM_BAD
from tests.spec.rules.test_cross_section import BAD, WARNED
from tests.spec.rules.test_dns import BAD as DNS_BAD
from tests.spec.test_model import CROSS_FIELD_RULES
from tests.spec_edit import edit, edited_spec, problems_of, write_project

ALL_IDS = [r.id for r in RULES] + [r.id for r in SCHEMA_RULES]


def test_rule_ids_are_unique_and_every_rule_says_what_it_checks() -> None:
    assert len(ALL_IDS) == len(set(ALL_IDS))
    for rule in RULES:
        assert rule.description and not rule.description.endswith("."), rule.id
        assert rule.scopes, rule.id


def test_the_rules_command_lists_every_rule_with_its_id_name_and_sentence() -> None:
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for rule in RULES:
        assert any(line.split()[:2] == [rule.id, rule.name] and rule.description in line for line in lines), rule.id
    warned = [line.split()[0] for line in lines if line.endswith("(warning: printed, synth goes on)")]
    assert warned == [rule.id for rule in RULES if rule.severity == "warning"] == ["S417"]
    for schema_rule in SCHEMA_RULES:
        assert any(line.split()[:2] == [schema_rule.id, schema_rule.name] for line in lines), schema_rule.id


def test_every_rule_fires_in_some_bad_case(tmp_path: Path) -> None:
    seen: set[str] = set()
    for index, case in enumerate([*BAD, *ALARM_BAD, *DNS_BAD]):
        edits = case.values[0]
        problems = problems_of(edited_spec(tmp_path / f"production-{index}", *edits))
        assert all(p.rule for p in problems), problems
        seen |= {p.rule for p in problems}
    for index, case in enumerate(CROSS_FIELD_RULES):
        edits = case.values[0]
        path = write_project(tmp_path / f"minimal-{index}", edit(minimal_text(), *edits))
        problems = problems_of(path)
        assert all(p.rule for p in problems), problems
        seen |= {p.rule for p in problems}
    for index, case in enumerate(WARNED):
        edits = case.values[0]
        warnings = rule_warnings(load(edited_spec(tmp_path / f"warned-{index}", *edits)))
        assert warnings and all(p.rule for p in warnings), warnings
        seen |= {p.rule for p in warnings}
    missing = sorted(r.id for r in RULES if r.id not in seen)
    assert not missing, f"rules with no bad case: {missing}"
