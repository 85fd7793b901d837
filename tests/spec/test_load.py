"""The loader: YAML text -> validated Spec, or every problem as FILE:LINE:COL: dotted.path: message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ruamel.yaml.comments import CommentedMap

from cfncompiler.errors import Problem, SpecError
from cfncompiler.spec.load import load_spec, validate
from cfncompiler.spec.source import read_yaml
from tests.conftest import MINIMAL_SPEC, Edit, Where, edit, minimal_text
from tests.spec_edit import only_problem, problems_of

START = (1, 1)


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


# (make the file, where, message fragment): problems with the file itself, before any validation.
UNUSABLE_FILES = [
    pytest.param(_missing, START, "file not found", id="missing-file"),
    pytest.param(_directory, START, "is a directory", id="directory"),
    pytest.param(_text(""), START, "the spec is empty", id="empty-file"),
    pytest.param(_text("# nothing but a comment\n\n"), START, "the spec is empty", id="comments-only"),
    pytest.param(_text("- project\n- network\n"), START, "the spec must be a mapping of sections", id="top-level-list"),
    pytest.param(_text("just words\n"), START, "the spec must be a mapping of sections", id="top-level-scalar"),
    pytest.param(_bytes(b"project: \xff\xfe\n"), START, "cannot be read", id="not-utf-8"),
    pytest.param(
        _minimal_with(("  cidr: 10.1.0.0/16", "  cidr: [10.1.0.0/16")),
        # The parser notices on the next line, at the ':' that cannot be in a flow sequence.
        Where("availability_zones:", ":"),
        "YAML error: while parsing a flow sequence expected ',' or ']', but got ':'",
        id="unclosed-flow-sequence",
    ),
    pytest.param(
        _minimal_with(("  flow_logs:", "\tflow_logs:")),
        Where("\tflow_logs:"),
        "YAML error: while scanning for the next token found character '\\t' that cannot start any token",
        id="tab-indentation",
    ),
    pytest.param(
        _minimal_with(("region: eu-west-1\n", "region: eu-west-1\nproject: again\n")),
        Where("project: again", "project"),
        'found duplicate key "project" with value "again" (original value: "demo")',
        id="duplicate-top-level-key",
    ),
    pytest.param(
        _minimal_with(("    port: 5432\n", "    port: 5432\n    port: 5433\n")),
        Where("port: 5433", "port"),
        'found duplicate key "port"',
        id="duplicate-nested-key",
    ),
]


@pytest.mark.parametrize(("make", "where", "fragment"), UNUSABLE_FILES)
def test_an_unusable_file_is_one_located_spec_error(
    tmp_path: Path, make: Callable[[Path], Path], where: Where | tuple[int, int], fragment: str
) -> None:
    path = make(tmp_path)
    line, column = where.of(path) if isinstance(where, Where) else where
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
    line, column = Where("max_storage_gb: 19", "19").of(tmp_path / "spec" / "production.yaml")
    assert str(problem).startswith(f"spec/production.yaml:{line}:{column}: data.database.max_storage_gb: ")


def test_every_problem_in_the_file_is_reported_at_once_in_line_order(write_spec: Callable[[str], Path]) -> None:
    spec = write_spec(
        edit(
            minimal_text(),
            ("retention_days: 30", "retention_days: 31"),
            ("10.1.0.0/24, az: 0", "10.1.0.0/24, az: '0'"),
            ("ports: [8080, 9090]", "ports: [8080, 99999]"),
            ("    port: 5432", '    port: "5432"'),
            ("        length: 32\n", "        lenght: 32\n"),
        )
    )
    expected = [
        (*Where("retention_days: 31", "31").of(spec), "logs.retention_days"),
        (*Where("public-a:", "'0'").of(spec), "network.subnets.public-a.az"),
        (*Where("99999").of(spec), "network.security_groups.service.ingress[0].ports[1]"),
        (*Where('"5432"').of(spec), "data.database.port"),
        (
            *Where("generate:", "generate", after="demo/generated:").of(spec),
            "data.secrets.demo/generated.generate.length",
        ),
        (*Where("lenght").of(spec), "data.secrets.demo/generated.generate.lenght"),
    ]
    assert [(p.line, p.column, p.path) for p in problems_of(spec)] == expected


# (edit, path, expected message, where)
UNKNOWN_KEYS = [
    pytest.param(
        ("project: demo", "projekt: demo"),
        "projekt",
        "unknown key 'projekt'; did you mean 'project'?",
        Where("projekt"),
        id="top",
    ),
    pytest.param(
        ("10.1.0.0/24, az: 0, tier: public", "10.1.0.0/24, az: 0, tierr: public"),
        "network.subnets.public-a.tierr",
        "unknown key 'tierr'; did you mean 'tier'?",
        Where("tierr"),
        id="flow-mapping",
    ),
    pytest.param(
        ("        - from: web\n", "        - frm: web\n"),
        "network.security_groups.service.ingress[0].frm",
        "unknown key 'frm'; did you mean 'from'?",
        Where("frm"),
        id="ingress-rule-alias",
    ),
    pytest.param(
        ("        - to: anywhere\n", "        - too: anywhere\n"),
        "network.security_groups.service.egress[0].too",
        "unknown key 'too'; did you mean 'to'?",
        Where("too: anywhere", "too"),
        id="egress-rule",
    ),
    pytest.param(
        ("          protocol: udp\n", "          protocl: udp\n"),
        "network.security_groups.service.egress[1].protocl",
        "unknown key 'protocl'; did you mean 'protocol'?",
        Where("protocl"),
        id="egress-rule-optional-field",
    ),
    pytest.param(
        ("        length: 32\n", "        lenght: 32\n"),
        "data.secrets.demo/generated.generate.lenght",
        "unknown key 'lenght'; did you mean 'length'?",
        Where("lenght"),
        id="optional-section",
    ),
    pytest.param(
        ("    subnet: public-a\n", "    subnet: public-a\n    zone: 1\n"),
        "network.nat_gateway.zone",
        "unknown key 'zone' (allowed: subnet)",
        Where("zone: 1", "zone"),
        id="no-close-match-lists-allowed-keys",
    ),
]


@pytest.mark.parametrize(("edit_", "path", "message", "where"), UNKNOWN_KEYS)
def test_an_unknown_key_is_named_with_the_closest_allowed_key_and_pointed_at(
    write_spec: Callable[[str], Path], edit_: Edit, path: str, message: str, where: Where
) -> None:
    spec = write_spec(edit(minimal_text(), edit_))
    problems = [p for p in problems_of(spec) if p.path == path]
    assert [(p.line, p.column, p.message) for p in problems] == [(*where.of(spec), message)]


def test_a_missing_key_is_reported_at_the_mapping_that_lacks_it(write_spec: Callable[[str], Path]) -> None:
    spec = write_spec(edit(minimal_text(), ("    port: 5432\n", "")))
    problem = only_problem(spec)
    assert (problem.line, problem.column) == Where("  database:", "database").of(spec)
    assert (problem.path, problem.message) == ("data.database.port", "required key is missing")


def test_a_missing_top_level_section_is_reported_at_the_start_of_the_document(
    write_spec: Callable[[str], Path],
) -> None:
    spec = write_spec(edit(minimal_text(), ("logs:\n  retention_days: 30\n", "")))
    problem = only_problem(spec)
    assert (problem.line, problem.column) == Where("project: demo", "project").of(spec)
    assert (problem.path, problem.message) == ("logs", "required key is missing")


def test_a_bad_name_used_as_a_key_is_reported_at_that_key_with_a_plain_path(write_spec: Callable[[str], Path]) -> None:
    spec = write_spec(edit(minimal_text(), ("    public-a: {", "    Public_A: {")))
    problem = only_problem(spec)
    assert (problem.line, problem.column) == Where("Public_A").of(spec)
    assert problem.message == "'Public_A' is not a valid value here (expected ^[a-z][a-z0-9-]*$)"
    # pydantic's internal "[key]" marker is not part of any path a person can follow in the file.
    assert problem.path == "network.subnets.Public_A"


def test_a_problem_inside_a_list_points_at_the_list_item(write_spec: Callable[[str], Path]) -> None:
    spec = write_spec(edit(minimal_text(), ("interface: [sts, logs]", "interface: [sts, Logs]")))
    problem = only_problem(spec)
    assert (problem.path, problem.line, problem.column) == ("network.endpoints.interface[1]", *Where("Logs").of(spec))


def test_a_list_where_a_mapping_belongs_is_reported_at_its_key(write_spec: Callable[[str], Path]) -> None:
    spec = write_spec(edit(minimal_text(), ("    media: {versioned: false}", "    media: []")))
    problem = only_problem(spec)
    assert (problem.path, problem.line, problem.column) == ("data.buckets.media", *Where("media: []", "media").of(spec))
    assert "valid dictionary" in problem.message


def test_read_yaml_keeps_positions() -> None:
    document = read_yaml(MINIMAL_SPEC)
    assert isinstance(document, CommentedMap)
    line, column = Where("  cidr: 10.1.0.0/16", "cidr").of(MINIMAL_SPEC)
    assert document["network"].lc.key("cidr") == (line - 1, column - 1)  # ruamel.yaml counts from 0


def test_validate_reports_problems_without_reading_any_file() -> None:
    document = read_yaml(MINIMAL_SPEC)
    document["project"] = "Demo"
    with pytest.raises(SpecError) as caught:
        validate(document, str(MINIMAL_SPEC))
    [problem] = caught.value.problems
    assert (problem.file, problem.path) == (str(MINIMAL_SPEC), "project")
    assert (problem.line, problem.column) == Where("project: demo", "demo").of(MINIMAL_SPEC)


def test_a_problem_in_an_extending_spec_points_into_the_file_that_holds_the_value(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text(edit(minimal_text(), ("    port: 5432", '    port: "5432"')), encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\nproject: child\nnetwork:\n  cidr: 10.1.0.1/16\n", encoding="utf-8")
    problems = {p.path: p for p in problems_of(child)}
    assert set(problems) == {"network.cidr", "data.database.port"}
    assert (problems["network.cidr"].file, problems["network.cidr"].line, problems["network.cidr"].column) == (
        str(child),
        *Where("10.1.0.1/16").of(child),
    )
    port = problems["data.database.port"]
    assert (port.file, port.line, port.column) == (str(base), *Where('"5432"').of(base))


def test_load_spec_returns_the_validated_spec() -> None:
    spec = load_spec(MINIMAL_SPEC)
    assert spec.network.security_groups["service"].ingress[0].ports == [8080, 9090]


def test_a_blank_key_is_quoted_in_the_path_so_the_line_still_names_a_path(write_spec: Callable[[str], Path]) -> None:
    # Found by the fuzz test: a top-level key " " printed an empty-looking path after the location.
    spec = write_spec(minimal_text() + '" ": 1\n')
    problem = only_problem(spec)
    assert problem.path == "[' ']"
    assert str(problem).split(": ")[1] == "[' ']"
    assert problem.rule == "S002"
