"""The loader: YAML text -> validated Spec, or every problem as FILE:LINE:COL: dotted.path: message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ruamel.yaml.comments import CommentedMap

from cfncompiler.loader import Problem, SpecError, load_spec, read_yaml, validate
from tests.conftest import MINIMAL_SPEC, Edit, edit, minimal_text, only_problem, problems_of


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "nowhere.yaml"


def _directory(tmp_path: Path) -> Path:
    return tmp_path


def _text(content: str) -> Callable[[Path], Path]:
    def write(tmp_path: Path) -> Path:
        path = tmp_path / "spec.yaml"
        path.write_text(content, encoding="utf-8")
        return path

    return write


def _bytes(content: bytes) -> Callable[[Path], Path]:
    def write(tmp_path: Path) -> Path:
        path = tmp_path / "spec.yaml"
        path.write_bytes(content)
        return path

    return write


def _minimal_with(*edits: Edit) -> Callable[[Path], Path]:
    return lambda tmp_path: _text(edit(minimal_text(), *edits))(tmp_path)


# (make the file, line, column, message fragment): problems with the file itself, before any validation.
UNUSABLE_FILES = [
    pytest.param(_missing, 1, 1, "file not found", id="missing-file"),
    pytest.param(_directory, 1, 1, "is a directory, not a spec file", id="directory"),
    pytest.param(_text(""), 1, 1, "the spec is empty", id="empty-file"),
    pytest.param(_text("# nothing but a comment\n\n"), 1, 1, "the spec is empty", id="comments-only"),
    pytest.param(_text("- project\n- network\n"), 1, 1, "the spec must be a mapping of sections", id="top-level-list"),
    pytest.param(_text("just words\n"), 1, 1, "the spec must be a mapping of sections", id="top-level-scalar"),
    pytest.param(_bytes(b"project: \xff\xfe\n"), 1, 1, "cannot be read", id="not-utf-8"),
    pytest.param(
        _minimal_with(("  cidr: 10.1.0.0/16", "  cidr: [10.1.0.0/16")),
        9,
        21,
        "YAML error: while parsing a flow sequence expected ',' or ']'",
        id="unclosed-flow-sequence",
    ),
    pytest.param(
        _minimal_with(("  flow_logs:", "\tflow_logs:")),
        73,
        1,
        "YAML error: while scanning for the next token found character '\\t' that cannot start any token",
        id="tab-indentation",
    ),
    pytest.param(
        _minimal_with(("region: eu-west-1\n", "region: eu-west-1\nproject: again\n")),
        5,
        1,
        'found duplicate key "project" with value "again" (original value: "demo")',
        id="duplicate-top-level-key",
    ),
    pytest.param(
        _minimal_with(("    port: 5432\n", "    port: 5432\n    port: 5433\n")),
        88,
        5,
        'found duplicate key "port"',
        id="duplicate-nested-key",
    ),
]


@pytest.mark.parametrize(("make", "line", "column", "fragment"), UNUSABLE_FILES)
def test_an_unusable_file_is_one_located_spec_error(
    tmp_path: Path, make: Callable[[Path], Path], line: int, column: int, fragment: str
) -> None:
    path = make(tmp_path)
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.column, problem.path) == (str(path), line, column, "")
    assert fragment in problem.message
    assert str(problem).startswith(f"{path}:{line}:{column}: ")


def test_a_yaml_error_is_reported_on_one_line(write_spec: Callable[[str], Path]) -> None:
    problem = only_problem(write_spec(edit(minimal_text(), ("  cidr: 10.1.0.0/16", "  cidr: [10.1.0.0/16"))))
    assert "\n" not in str(problem)


def test_problem_prints_as_file_line_column_path_message() -> None:
    problem = Problem("spec/production.yaml", 42, 7, "network.subnets.app-a.cidr", "10.9.0.0/24 is outside the VPC")
    assert str(problem) == "spec/production.yaml:42:7: network.subnets.app-a.cidr: 10.9.0.0/24 is outside the VPC"


def test_problem_without_a_path_prints_file_line_column_message() -> None:
    assert str(Problem("spec.yaml", 1, 1, "", "file not found")) == "spec.yaml:1:1: file not found"


def test_spec_error_text_is_one_problem_per_line() -> None:
    problems = [Problem("s.yaml", 3, 1, "project", "required key is missing"), Problem("s.yaml", 9, 5, "", "oops")]
    assert str(SpecError(problems)) == "s.yaml:3:1: project: required key is missing\ns.yaml:9:5: oops"


def test_the_file_name_is_printed_as_given_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "production.yaml").write_text(
        edit(minimal_text(), ("max_storage_gb: 40", "max_storage_gb: 19")), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    problem = only_problem(Path("spec/production.yaml"))
    assert str(problem).startswith("spec/production.yaml:82:21: data.database.max_storage_gb: ")


def test_every_problem_in_the_file_is_reported_at_once_in_line_order(write_spec: Callable[[str], Path]) -> None:
    text = edit(
        minimal_text(),
        ("retention_days: 30", "retention_days: 31"),
        ("10.1.0.0/24, az: 0", "10.1.0.0/24, az: '0'"),
        ("ports: [8080, 9090]", "ports: [8080, 99999]"),
        ("    port: 5432", '    port: "5432"'),
        ("        length: 32\n", "        lenght: 32\n"),
    )
    problems = problems_of(write_spec(text))
    assert [(p.line, p.column, p.path) for p in problems] == [
        (6, 19, "logs.retention_days"),
        (15, 39, "network.subnets.public-a.az"),
        (40, 25, "network.security_groups.service.ingress[0].ports[1]"),
        (87, 11, "data.database.port"),
        (118, 7, "data.secrets.demo/generated.generate.length"),
        (119, 9, "data.secrets.demo/generated.generate.lenght"),
    ]


# (edit, path, expected message, line, column)
UNKNOWN_KEYS = [
    pytest.param(
        ("project: demo", "projekt: demo"), "projekt", "unknown key 'projekt'; did you mean 'project'?", 3, 1, id="top"
    ),
    pytest.param(
        ("10.1.0.0/24, az: 0, tier: public", "10.1.0.0/24, az: 0, tierr: public"),
        "network.subnets.public-a.tierr",
        "unknown key 'tierr'; did you mean 'tier'?",
        15,
        42,
        id="flow-mapping",
    ),
    pytest.param(
        ("        - from: web\n", "        - frm: web\n"),
        "network.security_groups.service.ingress[0].frm",
        "unknown key 'frm'; did you mean 'from'?",
        39,
        11,
        id="ingress-rule-alias",
    ),
    pytest.param(
        ("        - to: anywhere\n", "        - too: anywhere\n"),
        "network.security_groups.service.egress[0].too",
        "unknown key 'too'; did you mean 'to'?",
        43,
        11,
        id="egress-rule",
    ),
    pytest.param(
        ("          protocol: udp\n", "          protocl: udp\n"),
        "network.security_groups.service.egress[1].protocl",
        "unknown key 'protocl'; did you mean 'protocol'?",
        48,
        11,
        id="egress-rule-optional-field",
    ),
    pytest.param(
        ("        length: 32\n", "        lenght: 32\n"),
        "data.secrets.demo/generated.generate.lenght",
        "unknown key 'lenght'; did you mean 'length'?",
        119,
        9,
        id="optional-section",
    ),
    pytest.param(
        ("    subnet: public-a\n", "    subnet: public-a\n    zone: 1\n"),
        "network.nat_gateway.zone",
        "unknown key 'zone' (allowed: subnet)",
        22,
        5,
        id="no-close-match-lists-allowed-keys",
    ),
]


@pytest.mark.parametrize(("edit_", "path", "message", "line", "column"), UNKNOWN_KEYS)
def test_an_unknown_key_is_named_with_the_closest_allowed_key(
    write_spec: Callable[[str], Path], edit_: Edit, path: str, message: str, line: int, column: int
) -> None:
    problems = [p for p in problems_of(write_spec(edit(minimal_text(), edit_))) if p.path == path]
    assert [(p.line, p.column, p.message) for p in problems] == [(line, column, message)]


def test_a_missing_key_is_reported_at_the_mapping_that_lacks_it(write_spec: Callable[[str], Path]) -> None:
    problem = only_problem(write_spec(edit(minimal_text(), ("    port: 5432\n", ""))))
    assert (problem.line, problem.column, problem.path, problem.message) == (
        76,
        3,
        "data.database.port",
        "required key is missing",
    )


def test_a_missing_top_level_section_is_reported_at_the_start_of_the_document(
    write_spec: Callable[[str], Path],
) -> None:
    problem = only_problem(write_spec(edit(minimal_text(), ("logs:\n  retention_days: 30\n", ""))))
    assert (problem.line, problem.column, problem.path, problem.message) == (3, 1, "logs", "required key is missing")


def test_a_bad_name_used_as_a_key_is_reported_at_that_key_with_a_plain_path(write_spec: Callable[[str], Path]) -> None:
    problem = only_problem(write_spec(edit(minimal_text(), ("    public-a: {", "    Public_A: {"))))
    assert (problem.line, problem.column) == (15, 5)
    assert problem.message == "'Public_A' is not a valid value here (expected ^[a-z][a-z0-9-]*$)"
    # pydantic's internal "[key]" marker is not part of any path a person can follow in the file.
    assert problem.path == "network.subnets.Public_A"


def test_a_problem_inside_a_list_points_at_the_list_item(write_spec: Callable[[str], Path]) -> None:
    problem = only_problem(write_spec(edit(minimal_text(), ("interface: [sts, logs]", "interface: [sts, Logs]"))))
    assert (problem.path, problem.line, problem.column) == ("network.endpoints.interface[1]", 25, 22)


def test_a_list_where_a_mapping_belongs_is_reported_at_its_key(write_spec: Callable[[str], Path]) -> None:
    problem = only_problem(write_spec(edit(minimal_text(), ("    media: {}", "    media: []"))))
    assert (problem.path, problem.line, problem.column) == ("data.buckets.media", 107, 5)
    assert "valid dictionary" in problem.message


def test_read_yaml_keeps_positions(tmp_path: Path) -> None:
    document = read_yaml(MINIMAL_SPEC)
    assert isinstance(document, CommentedMap)
    network = document["network"]
    assert network.lc.key("cidr") == (7, 2)  # 0-based, as ruamel.yaml keeps them
    assert network.lc.value("cidr") == (7, 8)


def test_validate_names_the_file_it_was_given() -> None:
    document = read_yaml(MINIMAL_SPEC)
    document["project"] = "Demo"
    with pytest.raises(SpecError) as caught:
        validate(document, "somewhere/else.yaml")
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column, problem.path) == ("somewhere/else.yaml", 3, 10, "project")


def test_load_spec_returns_the_validated_spec() -> None:
    spec = load_spec(MINIMAL_SPEC)
    assert spec.network.security_groups["service"].ingress[0].ports == [8080, 9090]
