"""spec/schema.json: the spec's JSON Schema for editors, generated from the pydantic model and kept current.

``spec/production.yaml`` points yaml-language-server at it on its first line, so an editor completes
keys, shows each field's description and flags mistakes while the spec is typed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from cfncompiler.spec.schema import json_schema
from tests.env_support import ROOT, SPEC_DIR, run
from tests.spec_edit import edit, production_text

try:  # cfn-lint depends on it, so it is normally there; the checks that need it say so when it is not
    import jsonschema
except ImportError:  # pragma: no cover
    jsonschema = None

needs_jsonschema = pytest.mark.skipif(jsonschema is None, reason="jsonschema is not installed")

SCHEMA_FILE = SPEC_DIR / "schema.json"
MODELINE = "# yaml-language-server: $schema=schema.json"
SPECS = sorted(SPEC_DIR.glob("*.yaml"))


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json_schema())
    return loaded


def plain(text: str) -> Any:
    """YAML as plain data, the way an editor's language server sees it (anchors resolved)."""
    return YAML(typ="safe", pure=True).load(io.StringIO(text))


def errors(data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema())
    return sorted(f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data))


def properties(node: Any, trail: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, schema) of every property declared anywhere below ``node``."""
    if isinstance(node, dict):
        for name, body in (node.get("properties") or {}).items():
            yield f"{trail}.{name}", body
        for key, value in node.items():
            yield from properties(value, f"{trail}.{key}" if key != "properties" else trail)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from properties(item, f"{trail}[{index}]")


# --------------------------------------------------------------------------- the committed file


def test_the_committed_schema_is_what_the_model_generates() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema(), (
        "spec/schema.json is stale: run `cfncompiler schema` and commit the result"
    )


def test_schema_command_writes_the_committed_schema_then_reports_it_unchanged(tmp_path: Path) -> None:
    output = tmp_path / "schema.json"
    first = run("schema", "--output", output)
    assert first.exit_code == 0, first.output
    assert first.stdout == f"{output}: written\n"
    assert output.read_bytes() == SCHEMA_FILE.read_bytes()
    mtime = output.stat().st_mtime_ns
    second = run("schema", "--output", output)
    assert second.stdout == f"{output}: unchanged\n"
    assert output.stat().st_mtime_ns == mtime


@needs_jsonschema
def test_the_schema_is_a_valid_draft_2020_12_schema_for_the_whole_spec() -> None:
    generated = schema()
    assert generated["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert generated["title"] == "cfncompiler spec"
    jsonschema.Draft202012Validator.check_schema(generated)
    assert set(generated["required"]) == {
        "project",
        "region",
        "logs",
        "network",
        "data",
        "platform",
        "observability",
    }


def test_every_property_has_a_description_for_the_editor_to_show() -> None:
    found = list(properties(schema()))
    assert len(found) > 100, "the walk must reach the properties inside $defs"
    assert any(where.startswith(".$defs.Service.") for where, _ in found)
    undescribed = sorted(where for where, body in found if not str(body.get("description", "")).strip())
    assert undescribed == []


def test_every_object_of_the_spec_refuses_keys_it_does_not_know() -> None:
    objects = {name: body for name, body in schema()["$defs"].items() if "properties" in body}
    assert objects
    assert {name for name, body in objects.items() if body.get("additionalProperties") is not False} == set()


# --------------------------------------------------------------------------- the spec files


def test_the_production_spec_starts_with_the_schema_modeline() -> None:
    first_line = (SPEC_DIR / "production.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == MODELINE
    assert (SPEC_DIR / "production.yaml").parent / "schema.json" == SCHEMA_FILE


@needs_jsonschema
def test_the_production_spec_is_valid_under_the_schema() -> None:
    assert errors(plain(production_text())) == []


@needs_jsonschema
@pytest.mark.parametrize(
    ("edits", "where"),
    [
        pytest.param([("project: coder-production\n", "project: coder-production\ncolour: blue\n")], "", id="top"),
        pytest.param(
            [("      replicas: 2\n", "      replicas: 2\n      replica: 2\n")],
            "platform.services.litellm",
            id="in-a-service",
        ),
        pytest.param(
            [("    storage_gb: 100\n", "    storage_gb: 100\n    storage: 100\n")],
            "data.database",
            id="in-the-database",
        ),
    ],
)
def test_a_spec_with_an_unknown_key_fails_schema_validation(edits: list[tuple[str, str]], where: str) -> None:
    found = errors(plain(edit(production_text(), *edits)))
    assert len(found) == 1, found
    assert found[0].startswith(f"{where}: Additional properties are not allowed")


@needs_jsonschema
def test_a_string_where_the_spec_wants_a_number_fails_schema_validation() -> None:
    found = errors(plain(edit(production_text(), ("      cpu: 512         # 0.5 vCPU", '      cpu: "512"'))))
    assert found == ["platform.services.litellm.cpu: '512' is not of type 'integer'"]


@needs_jsonschema
@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
def test_every_spec_that_names_the_schema_is_valid_under_it_so_the_editor_shows_no_false_errors(spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    if MODELINE not in text.splitlines():
        pytest.skip(f"{spec.name} does not name the schema")
    assert errors(plain(text)) == [], f"an editor flags {spec.relative_to(ROOT)} although it compiles"
