"""Bad input to ``synth`` and ``lint``: one clear paragraph on stderr and a non-zero exit, never a traceback.

"Clear" means: the paragraph names what is wrong (the path, the option, the value), and
never blames cfncompiler for the user's input ("This is a bug in cfncompiler" is only for
real bugs). click's own two-line preamble for usage errors ("Usage: ..." and "Try ...")
is allowed before the paragraph. The deploy commands' bad inputs are tested in tests/deploy/.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from cfncompiler.cli import main
from cfncompiler.layers import ORDER
from cfncompiler.naming import template_file
from cfncompiler.synth import synth
from tests.fuzz_support import LITELLM_DIR, make_workspace, production_text

BUG_REPORT = "bug in cfncompiler"
CLICK_PREAMBLE = re.compile(r"^(Usage: .*|Try '.*' for help\.)$")


@dataclass(frozen=True)
class Outcome:
    code: int
    stderr: str

    @property
    def paragraph(self) -> str:
        return " ".join(self.stderr.split())


def run(*args: str | Path) -> Outcome:
    result = CliRunner().invoke(main, [str(arg) for arg in args], env={"CFNCOMPILER_DEBUG": None})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"cfncompiler {' '.join(map(str, args))} raised {result.exception!r}") from (
            result.exception
        )
    return Outcome(result.exit_code, result.stderr)


def assert_one_clear_paragraph(outcome: Outcome, *mentions: str, code: int | None = None) -> None:
    assert outcome.code != 0, outcome
    if code is not None:
        assert outcome.code == code, outcome
    assert "Traceback" not in outcome.stderr, outcome
    assert BUG_REPORT not in outcome.stderr, f"bad input is reported as a cfncompiler bug: {outcome.stderr}"
    lines = [line for line in outcome.stderr.splitlines() if not CLICK_PREAMBLE.match(line)]
    while lines and not lines[0].strip():
        lines.pop(0)
    assert lines, outcome
    assert all(line.strip() for line in lines), f"more than one paragraph:\n{outcome.stderr}"
    for mention in mentions:
        assert mention in outcome.paragraph, f"{mention!r} not named in: {outcome.stderr}"


def line_of(text: str, needle: str) -> int:
    [number] = [i for i, line in enumerate(text.splitlines(), start=1) if line.startswith(needle)]
    return number


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the production spec beside a copy of litellm/; returns the spec's path."""
    return make_workspace(tmp_path_factory.mktemp("bad-inputs"))


@pytest.fixture(scope="module")
def compiled_out(workspace: Path) -> Path:
    out = workspace.parent.parent / "templates_out"
    synth(workspace, out, lint=False)
    return out


def variant(workspace: Path, name: str, text: str) -> Path:
    path = workspace.parent / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the spec file itself

COMMANDS = ["synth", "lint"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_directory_given_as_the_spec_is_named_and_exits_2(command: str, tmp_path: Path) -> None:
    outcome = run(command, "--spec", tmp_path, "--out", tmp_path / "out")
    assert_one_clear_paragraph(outcome, str(tmp_path), "is a directory", code=2)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_spec_path_under_a_file_is_a_located_problem_and_exits_2(command: str, tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a directory\n", encoding="utf-8")
    spec = blocker / "production.yaml"
    outcome = run(command, "--spec", spec, "--out", tmp_path / "out")
    assert_one_clear_paragraph(outcome, f"{spec}:1:1:", "cannot be read", code=2)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_spec_is_named_and_exits_2(command: str, tmp_path: Path) -> None:
    spec = tmp_path / "nowhere.yaml"
    outcome = run(command, "--spec", spec, "--out", tmp_path / "out")
    assert_one_clear_paragraph(outcome, f"{spec}:1:1:", "file not found", code=2)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unreadable_spec_is_named_and_exits_2(command: str, tmp_path: Path) -> None:
    spec = tmp_path / "locked.yaml"
    spec.write_text(production_text(), encoding="utf-8")
    spec.chmod(0)
    try:
        if os.access(spec, os.R_OK):
            pytest.skip(
                "this user reads files whatever their mode (root); the directory and under-a-file cases cover it"
            )
        outcome = run(command, "--spec", spec, "--out", tmp_path / "out")
    finally:
        spec.chmod(0o644)
    assert_one_clear_paragraph(outcome, f"{spec}:1:1:", "cannot be read", code=2)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_spec_that_is_not_utf8_is_named_and_exits_2(command: str, tmp_path: Path) -> None:
    spec = tmp_path / "latin1.yaml"
    spec.write_bytes(production_text().replace("# cfncompiler spec", "# cfncompiler spéc").encode("latin-1"))
    outcome = run(command, "--spec", spec, "--out", tmp_path / "out")
    assert_one_clear_paragraph(outcome, f"{spec}:1:1:", "cannot be read", code=2)


def test_a_missing_asset_directory_is_a_located_problem_and_exits_2(tmp_path: Path) -> None:
    spec = tmp_path / "spec" / "production.yaml"  # no ../litellm beside it
    spec.parent.mkdir()
    spec.write_text(production_text(), encoding="utf-8")
    line = line_of(production_text(), "      assets:")
    outcome = run("synth", "--no-lint", "--spec", spec, "--out", tmp_path / "out")
    assert_one_clear_paragraph(outcome, f"{spec}:{line}:", "asset directory", "does not exist", code=2)
    assert not (tmp_path / "out").exists()


def test_an_absolute_asset_directory_is_a_located_problem_not_a_directory_to_ship(tmp_path: Path) -> None:
    """assets.path is a directory relative to the spec file. An absolute one is taken as is: synth hashes and
    ships whatever it names, and ``path: /`` walks the whole file system (/proc included) until it crashes."""
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(LITELLM_DIR, elsewhere)
    spec = tmp_path / "spec" / "production.yaml"
    spec.parent.mkdir()
    text = production_text().replace("path: ../litellm", f"path: {elsewhere}")
    spec.write_text(text, encoding="utf-8")
    outcome = run("synth", "--no-lint", "--spec", spec, "--out", tmp_path / "out")
    assert_one_clear_paragraph(outcome, f"{spec}:{line_of(text, '      assets:')}:", code=2)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["true", "167772160"], ids=["boolean", "integer"])
def test_a_cidr_of_the_wrong_type_is_reported_as_such_not_read_as_an_address(tmp_path: Path, value: str) -> None:
    """The spec is strict about types; today `cidr: true` is read as 0.0.0.1/32 and 167772160 as 10.0.0.0/32,
    and the problem reported is a range problem about an address nobody wrote."""
    spec = make_workspace(tmp_path)
    text = production_text().replace("  cidr: 10.0.0.0/16", f"  cidr: {value}")
    spec.write_text(text, encoding="utf-8")
    outcome = run("synth", "--no-lint", "--spec", spec, "--out", tmp_path / "out")
    assert_one_clear_paragraph(outcome, f"{spec}:{line_of(text, '  cidr:')}:", "network.cidr", code=2)
    assert "/32" not in outcome.stderr, "the value was read as an IPv4 address"


@pytest.mark.parametrize("path", [".", ".."], ids=["the-spec-directory", "its-parent"])
def test_an_asset_directory_that_contains_the_spec_is_a_located_problem(tmp_path: Path, path: str) -> None:
    """Only a leading / or ~ is refused today, so a relative path can still climb to any directory above the
    spec: '..' ships the whole project (spec, templates, .git, .venv) as LiteLLM's assets, and enough '../'
    reach / and walk the whole file system (/proc included) until synth crashes. Tested with the two
    harmless climbs: an asset directory holding the spec file is never what was meant."""
    spec = make_workspace(tmp_path / "project")
    text = production_text().replace("path: ../litellm", f"path: {path}")
    spec.write_text(text, encoding="utf-8")
    outcome = run("synth", "--no-lint", "--spec", spec, "--out", tmp_path / "out")
    assert_one_clear_paragraph(outcome, f"{spec}:{line_of(text, '      assets:')}:", code=2)
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- regions


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("region", ["us-west", "US-WEST-2", "uswest2", "us-west-2a", ""])
def test_a_malformed_region_is_a_located_problem_and_exits_2(
    workspace: Path, compiled_out: Path, command: str, region: str
) -> None:
    text = production_text().replace("region: us-west-2", f"region: '{region}'")
    spec = variant(workspace, "malformed-region.yaml", text)
    outcome = run(command, "--spec", spec, "--out", compiled_out)
    assert_one_clear_paragraph(outcome, f"{spec}:{line_of(text, 'region:')}:", "region", code=2)


def test_synth_accepts_any_valid_region(workspace: Path, tmp_path: Path) -> None:
    spec = variant(workspace, "ireland.yaml", production_text().replace("region: us-west-2", "region: eu-west-1"))
    outcome = run("synth", "--no-lint", "--spec", spec, "--out", tmp_path / "out")
    assert outcome.code == 0, outcome
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(template_file(layer) for layer in ORDER)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_well_formed_region_that_does_not_exist_is_a_located_problem_not_a_crash(
    workspace: Path, compiled_out: Path, tmp_path: Path, command: str
) -> None:
    text = production_text().replace("region: us-west-2", "region: xx-fake-1")
    spec = variant(workspace, "no-such-region.yaml", text)
    out = compiled_out if command == "lint" else tmp_path / "out"
    outcome = run(command, "--spec", spec, "--out", out)
    assert_one_clear_paragraph(outcome, f"{spec}:{line_of(text, 'region:')}:", "xx-fake-1", code=2)


# --------------------------------------------------------------------------- the out dir


def test_lint_without_the_out_dir_says_to_synth_first(workspace: Path, tmp_path: Path) -> None:
    outcome = run("lint", "--spec", workspace, "--out", tmp_path / "templates_out")
    assert_one_clear_paragraph(outcome, str(tmp_path / "templates_out" / "network.yaml"), "missing", "synth")


def test_lint_with_a_template_missing_names_it_and_says_to_synth_first(
    workspace: Path, compiled_out: Path, tmp_path: Path
) -> None:
    out = tmp_path / "templates_out"
    out.mkdir()
    for layer in ORDER[:-1]:
        (out / template_file(layer)).write_bytes((compiled_out / template_file(layer)).read_bytes())
    missing = out / template_file(ORDER[-1])
    outcome = run("lint", "--spec", workspace, "--out", out)
    assert_one_clear_paragraph(outcome, str(missing), "missing", "synth")
    assert str(out / template_file(ORDER[0])) not in outcome.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_an_out_dir_that_is_a_file_is_named_and_exits_2(workspace: Path, tmp_path: Path, command: str) -> None:
    out = tmp_path / "templates_out"
    out.write_text("a file, not a directory\n", encoding="utf-8")
    outcome = run(command, "--spec", workspace, "--out", out)
    assert_one_clear_paragraph(outcome, str(out), "is a file", code=2)
    assert out.read_text(encoding="utf-8") == "a file, not a directory\n"


def test_synth_into_an_out_dir_under_a_file_names_both_and_is_not_reported_as_a_bug(
    workspace: Path, tmp_path: Path
) -> None:
    """click cannot see this one (the out dir does not exist yet); the writer meets it. A failed write
    is an operation that failed (exit 1), told as one paragraph, never as a cfncompiler bug."""
    blocker = tmp_path / "build"
    blocker.write_text("a file, not a directory\n", encoding="utf-8")
    out = blocker / "templates_out"
    outcome = run("synth", "--no-lint", "--spec", workspace, "--out", out)
    assert_one_clear_paragraph(outcome, str(out), str(blocker), "nothing there was changed")
    assert blocker.read_text(encoding="utf-8") == "a file, not a directory\n"
    assert list(tmp_path.iterdir()) == [blocker]


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["synth", "--bogus"], ["No such option", "--bogus"]),
        (["lint", "--no-lint"], ["No such option", "--no-lint"]),
        (["synth", "--spec"], ["--spec", "requires an argument"]),
        (["synth", "extra-argument"], ["extra-argument"]),
        (["compile"], ["No such command", "compile"]),
    ],
    ids=["unknown-option", "option-of-another-command", "option-without-value", "stray-argument", "unknown-command"],
)
def test_a_command_line_mistake_is_named_and_exits_2(args: list[str], mentions: list[str]) -> None:
    assert_one_clear_paragraph(run(*args), *mentions, code=2)
