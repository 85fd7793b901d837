"""A synth whose inputs have not changed reuses the last result; any change to what it read or wrote compiles again.

Every test runs ``cfncompiler synth`` in this process on a small project under ``tmp_path`` (a spec,
an environment extending it, a directory of assets), with the state kept under ``tmp_path`` too
(CFNCOMPILER_CACHE_DIR), and counts the calls of ``cfncompiler.synth.compile_spec``: zero on a reuse,
one on a compile. The lint gate is replaced by a clean, counting one; the linter's own tests cover it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from cfncompiler import synth as synth_module
from cfncompiler.gate.lint import CACHE_ENV
from tests.conftest import edit, minimal_text, snapshot
from tests.env_support import run

# The minimal spec with one service shipping a directory of assets: quick to compile, and it reads
# everything a synth can read (a spec, the file it extends, asset files, an asset directory's listing).
ASSETS = "      assets: {path: assets, mount: /app/assets, bucket: state}\n"
STAGING = "extends: production.yaml\nproject: demo-staging\n"


@dataclass
class Project:
    root: Path
    compiles: list[str]
    lints: list[int]

    @property
    def spec(self) -> Path:
        return self.root / "spec" / "production.yaml"

    @property
    def assets(self) -> Path:
        return self.root / "spec" / "assets"

    @property
    def out(self) -> Path:
        return self.root / "templates_out"

    def synth(self, *args: str | Path, spec: Path | None = None, out: Path | None = None) -> Result:
        result = run("synth", "--spec", spec or self.spec, "--out", out or self.out, *args)
        assert result.exit_code == 0, result.output
        return result


def write_asset_project(root: Path) -> Path:
    text = edit(minimal_text(), ("      subnet_tier: app\n", "      subnet_tier: app\n" + ASSETS))
    (root / "spec").mkdir(parents=True)
    (root / "spec" / "production.yaml").write_text(text, encoding="utf-8")
    (root / "spec" / "staging.yaml").write_text(STAGING, encoding="utf-8")
    (root / "spec" / "assets" / "rules").mkdir(parents=True)
    (root / "spec" / "assets" / "settings.txt").write_text("level=1\n", encoding="utf-8")
    (root / "spec" / "assets" / "rules" / "one.txt").write_text("allow\n", encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache" / "lint"))
    compiles: list[str] = []
    lints: list[int] = []
    real_compile = synth_module.compile_spec

    def counting_compile(spec: Any, inputs: Any) -> Any:
        compiles.append(spec.project)
        return real_compile(spec, inputs)

    class CleanGate:
        """The gate, answered without cfn-lint (its own tests cover it): clean, and counted."""

        def lint(self, templates: list[tuple[str, str]], region: str) -> list[Any]:
            lints.append(len(templates))
            return []

    monkeypatch.setattr(synth_module, "compile_spec", counting_compile)
    monkeypatch.setattr(synth_module, "Gate", CleanGate)
    return Project(write_asset_project(tmp_path / "project"), compiles, lints)


def reused(first: Result, second: Result) -> bool:
    return second.stdout == first.stdout.replace("(written)", "(unchanged)")


# --------------------------------------------------------------------------- nothing changed


def test_a_second_synth_with_nothing_changed_reuses_the_result_without_compiling(project: Project) -> None:
    first = project.synth("--no-lint")
    assert project.compiles == ["demo"]
    before = snapshot(project.out)
    second = project.synth("--no-lint")
    assert project.compiles == ["demo"], "the second synth compiled again"
    assert reused(first, second), second.stdout
    assert snapshot(project.out) == before


def test_the_state_is_kept_beside_the_lint_cache_not_in_the_project(project: Project, tmp_path: Path) -> None:
    before = {p for p in project.root.rglob("*") if p.is_file()}
    project.synth("--no-lint")
    assert list((tmp_path / "cache" / "synth").glob("*.json")), "no state recorded under CFNCOMPILER_CACHE_DIR/.."
    added = {p for p in project.root.rglob("*") if p.is_file()} - before
    assert {p.parent for p in added} == {project.out}


def test_a_linted_result_is_reused_for_a_synth_that_skips_the_gate(project: Project) -> None:
    project.synth()
    assert (len(project.compiles), project.lints) == (1, [4])
    second = project.synth("--no-lint")
    assert (len(project.compiles), project.lints) == (1, [4])
    assert "lint clean" in second.stdout and "(unchanged)" in second.stdout


def test_a_reused_result_repeats_the_warnings_of_the_compile(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ports = ", ".join(str(1000 + index) for index in range(47))  # 48 inbound rules: 80% of 60
    spec = tmp_path / "near.yaml"
    spec.write_text(
        edit(
            minimal_text(),
            (
                "          ports: [443]\n          description: HTTPS to",
                f"          ports: [443, {ports}]\n          description: HTTPS to",
            ),
        ),
        encoding="utf-8",
    )
    first = project.synth("--no-lint", spec=spec)
    assert "warning: " in first.stderr and "48 inbound rules is 80% of the limit of 60" in first.stderr
    second = project.synth("--no-lint", spec=spec)
    assert len(project.compiles) == 1
    assert second.stderr == first.stderr


# --------------------------------------------------------------------------- a change compiles again


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


CHANGES: list[Any] = [
    pytest.param("production.yaml", lambda p: append(p.spec, "# a comment is a change too\n"), id="spec-text"),
    pytest.param("staging.yaml", lambda p: append(p.spec, "# in the file staging extends\n"), id="file-it-extends"),
    pytest.param("production.yaml", lambda p: append(p.assets / "rules" / "one.txt", "deny\n"), id="asset-file"),
    pytest.param(
        "production.yaml",
        lambda p: (p.assets / "rules" / "two.txt").write_text("allow\n", encoding="utf-8"),
        id="file-added-to-asset-dir",
    ),
    pytest.param(
        "production.yaml",
        lambda p: (p.assets / "settings.txt").unlink(),
        id="file-removed-from-asset-dir",
    ),
]


@pytest.mark.parametrize(("spec_name", "change"), CHANGES)
def test_a_change_to_anything_the_synth_read_compiles_again(
    project: Project, spec_name: str, change: Callable[[Project], None]
) -> None:
    spec = project.root / "spec" / spec_name
    out = project.root / "out"
    project.synth("--no-lint", spec=spec, out=out)
    assert len(project.compiles) == 1
    change(project)
    project.synth("--no-lint", spec=spec, out=out)
    assert len(project.compiles) == 2, "the synth reused a result whose inputs changed"


def test_a_changed_asset_reaches_the_templates_after_the_recompile(project: Project) -> None:
    project.synth("--no-lint")
    before = (project.out / "observability.yaml").read_text(encoding="utf-8")
    append(project.assets / "settings.txt", "level=2\n")
    second = project.synth("--no-lint")
    assert "(written)" in next(line for line in second.stdout.splitlines() if line.startswith("observability "))
    assert (project.out / "observability.yaml").read_text(encoding="utf-8") != before


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda path: append(path, "# hand edit\n"), id="hand-edited"),
        pytest.param(lambda path: path.unlink(), id="deleted"),
    ],
)
def test_a_template_changed_in_the_out_dir_is_compiled_and_written_again(
    project: Project, tamper: Callable[[Path], None]
) -> None:
    project.synth("--no-lint")
    compiled = snapshot(project.out)
    tamper(project.out / "data.yaml")
    second = project.synth("--no-lint")
    assert len(project.compiles) == 2
    assert {name: data for name, (data, _) in snapshot(project.out).items()} == {
        name: data for name, (data, _) in compiled.items()
    }
    assert "(written)" in next(line for line in second.stdout.splitlines() if line.startswith("data "))


def test_asking_for_the_gate_after_a_no_lint_synth_compiles_and_lints(project: Project) -> None:
    project.synth("--no-lint")
    assert project.lints == []
    second = project.synth()
    assert (len(project.compiles), project.lints) == (2, [4])
    assert "lint clean" in second.stdout
    project.synth()
    assert (len(project.compiles), project.lints) == (2, [4]), "a linted result must then be reused"


def test_another_out_dir_compiles_again(project: Project) -> None:
    project.synth("--no-lint")
    project.synth("--no-lint", out=project.root / "elsewhere")
    assert len(project.compiles) == 2


def test_another_compiler_compiles_again(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from cfncompiler.templates import incremental

    project.synth("--no-lint")
    monkeypatch.setattr(incremental, "tool_digest", lambda: "a newer cfncompiler")
    project.synth("--no-lint")
    assert len(project.compiles) == 2


def test_a_change_to_a_file_in_the_middle_of_an_extends_chain_compiles_again(project: Project) -> None:
    # c extends b extends a, and c overrides everything b sets: b still decides what c means.
    spec_dir = project.root / "spec"
    (spec_dir / "a.yaml").write_text(minimal_text(), encoding="utf-8")
    (spec_dir / "b.yaml").write_text("extends: a.yaml\nproject: bee\n", encoding="utf-8")
    (spec_dir / "c.yaml").write_text("extends: b.yaml\nproject: cee\n", encoding="utf-8")
    out = project.root / "out-c"
    project.synth("--no-lint", spec=spec_dir / "c.yaml", out=out)
    before = snapshot(out)
    append(spec_dir / "b.yaml", "logs:\n  retention_days: 90\n")
    project.synth("--no-lint", spec=spec_dir / "c.yaml", out=out)
    assert len(project.compiles) == 2, "b.yaml changed what c.yaml compiles to, but the old result was reused"
    assert snapshot(out) != before
