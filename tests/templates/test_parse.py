"""Templates read back as data: short forms in long form, JSON or YAML, the same as cfn-flip reads them."""

from __future__ import annotations

import json
from pathlib import Path

import cfn_flip
import pytest

from cfncompiler.errors import BadInput
from cfncompiler.templates.parse import parse_template

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = sorted((ROOT / "templates_out").rglob("*.yaml"))


def test_short_form_intrinsics_read_as_long_form() -> None:
    document = parse_template(
        "Outputs:\n  Host:\n    Value: !GetAtt Database.Endpoint.Address\n  Id: {Value: !Ref Vpc}\n"
        "  Url: {Value: !Sub ['https://${H}', {H: !GetAtt [Alb, DNSName]}]}\n"
    )
    assert document["Outputs"]["Host"]["Value"] == {"Fn::GetAtt": ["Database", "Endpoint.Address"]}
    assert document["Outputs"]["Id"]["Value"] == {"Ref": "Vpc"}
    assert document["Outputs"]["Url"]["Value"] == {
        "Fn::Sub": ["https://${H}", {"H": {"Fn::GetAtt": ["Alb", "DNSName"]}}]
    }


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_committed_template_reads_as_cfn_flip_reads_it_keys_in_order(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected, _ = cfn_flip.load(text)
    assert json.dumps(parse_template(text)) == json.dumps(expected)


def test_json_text_and_a_decoded_json_template_are_taken_as_they_are() -> None:
    assert parse_template('{"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}}}') == {
        "Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}}
    }
    assert parse_template({"Resources": {}}) == {"Resources": {}}


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("Resources: [unclosed\n", "neither JSON nor YAML"),
        ("- a list\n", "must be a mapping of sections"),
    ],
)
def test_what_is_not_a_template_is_one_line_of_bad_input(body: str, said: str) -> None:
    with pytest.raises(BadInput, match=said) as raised:
        parse_template(body)
    assert "\n" not in str(raised.value)
