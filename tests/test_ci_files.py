"""CI for users: .github/workflows/ci.yml and .pre-commit-config.yaml work when copied as they are.

Both parse; every ``make X`` they run is a Makefile target; every program a local hook or a step
names exists, with the cfncompiler subcommands and options it passes; the up-to-date checks cover
what the repository commits. The workflow pins every action to a commit SHA, keeps no credentials
after checkout, gives each job only the permissions it uses, and runs zizmor over itself.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import click
import pytest
from ruamel.yaml import YAML

from cfncompiler.cli import main
from cfncompiler.naming import out_dir_for
from tests.env_support import ROOT, SPEC_DIR

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"
MAKEFILE = ROOT / "Makefile"
MAKE_TARGET = re.compile(r"^(?P<names>[A-Za-z0-9_.-]+(?:[ \t]+[A-Za-z0-9_.-]+)*)[ \t]*:(?![=:])", re.MULTILINE)
COMMAND_SEPARATORS = re.compile(r"&&|\|\||;|\n|\|")


def parse(path: Path) -> Any:
    # YAML 1.2, as GitHub reads workflows: the key `on` stays a string.
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def workflow() -> dict[str, Any]:
    data: dict[str, Any] = parse(WORKFLOW)
    return data


def local_hooks() -> list[dict[str, Any]]:
    return [hook for repo in parse(PRE_COMMIT)["repos"] if repo["repo"] == "local" for hook in repo["hooks"]]


def steps() -> Iterator[tuple[str, dict[str, Any]]]:
    for job_name, job in workflow()["jobs"].items():
        for step in job["steps"]:
            yield job_name, step


def commands(text: str) -> Iterator[list[str]]:
    """The simple commands of a shell snippet, as words, without redirections."""
    for part in COMMAND_SEPARATORS.split(text):
        words = shlex.split(part)
        kept: list[str] = []
        skip = False
        for word in words:
            if skip:
                skip = False
                continue
            if word in (">", ">>", "<", "2>"):
                skip = True
                continue
            if re.match(r"^\d?>", word) or word.startswith("<"):
                continue
            kept.append(word)
        if kept:
            yield kept


def hook_commands(hook: dict[str, Any]) -> list[list[str]]:
    words = shlex.split(hook["entry"])
    if words[:2] == ["bash", "-c"]:
        return list(commands(words[2]))
    return [words]


def all_commands() -> list[tuple[str, list[str]]]:
    found = [
        (f"ci.yml step '{step.get('name')}'", c) for _, step in steps() if "run" in step for c in commands(step["run"])
    ]
    found += [(f"pre-commit hook {hook['id']}", c) for hook in local_hooks() for c in hook_commands(hook)]
    return found


def makefile_targets() -> set[str]:
    text = MAKEFILE.read_text(encoding="utf-8")
    return {name for match in MAKE_TARGET.finditer(text) for name in match["names"].split()} - {".PHONY"}


def make_goals(words: list[str]) -> list[str]:
    return [w for w in words[1:] if not w.startswith("-") and "=" not in w]


# --------------------------------------------------------------------------- the files parse


def test_the_workflow_parses_into_jobs_whose_steps_run_or_use_something() -> None:
    data = workflow()
    assert set(data) >= {"name", "on", "jobs"}
    assert set(data["jobs"]) == {"test", "cost", "diff"}
    for job_name, step in steps():
        assert ("run" in step) != ("uses" in step), f"{job_name}: a step must run a command or use an action: {step}"


def test_the_pre_commit_config_parses_into_repos_of_hooks() -> None:
    repos = parse(PRE_COMMIT)["repos"]
    assert repos
    for repo in repos:
        assert repo["hooks"], repo
        assert all(hook["id"] for hook in repo["hooks"])
        assert repo["repo"] == "local" or repo.get("rev"), f"{repo['repo']} must pin a rev"
    assert {hook["id"] for hook in local_hooks()} == {"mypy", "templates-up-to-date"}


# --------------------------------------------------------------------------- what they run exists


def test_every_make_target_the_ci_files_run_is_in_the_makefile() -> None:
    goals = [(where, goal) for where, words in all_commands() if words[0] == "make" for goal in make_goals(words)]
    assert {goal for _, goal in goals} >= {"test", "check", "lint", "synth", "security"}
    targets = makefile_targets()
    missing = [f"{where}: make {goal}" for where, goal in goals if goal not in targets]
    assert missing == []


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_accepts_every_goal_the_ci_files_run() -> None:
    goals = sorted({goal for _, words in all_commands() if words[0] == "make" for goal in make_goals(words)})
    done = subprocess.run(["make", "-n", "-C", str(ROOT), *goals], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_every_local_hook_entry_names_a_program_that_exists() -> None:
    for hook in local_hooks():
        assert hook["language"] == "system", hook["id"]
        program = shlex.split(hook["entry"])[0]
        if "/" in program:
            assert os.access(ROOT / program, os.X_OK), f"hook {hook['id']}: {program} is not an executable"
        else:
            assert shutil.which(program), f"hook {hook['id']}: {program} is not on PATH"


def test_every_program_the_ci_files_run_from_the_virtualenv_exists() -> None:
    programs = {words[0] for _, words in all_commands() if words[0].startswith(".venv/bin/")}
    assert ".venv/bin/cfncompiler" in programs
    assert ".venv/bin/mypy" in programs
    for program in programs:
        assert os.access(ROOT / program, os.X_OK), f"{program} is not in the virtualenv `make` builds"


def test_every_cfncompiler_command_the_ci_files_run_exists_with_the_options_it_passes() -> None:
    called = [(where, words) for where, words in all_commands() if words[0].endswith("/cfncompiler")]
    assert {words[1] for _, words in called} >= {"schema", "graph", "diff"}
    for where, words in called:
        command = main.commands.get(words[1])
        assert isinstance(command, click.Command), f"{where}: no command `cfncompiler {words[1]}`"
        known = {opt for param in command.params for opt in param.opts}
        unknown = [w for w in words[2:] if w.startswith("-") and w.split("=")[0] not in known]
        assert unknown == [], f"{where}: cfncompiler {words[1]} has no option {unknown}"


def test_the_paths_the_up_to_date_step_compares_are_committed() -> None:
    [diff] = [words for _, words in all_commands() if words[:2] == ["git", "diff"]]
    paths = diff[diff.index("--") + 1 :]
    assert set(paths) == {"templates_out", "spec/schema.json", "docs/architecture.md"}
    for path in paths:
        assert (ROOT / path).exists(), path


def test_the_templates_hook_runs_when_a_spec_an_asset_or_the_compiler_changes() -> None:
    [hook] = [h for h in local_hooks() if h["id"] == "templates-up-to-date"]
    pattern = re.compile(hook["files"])
    for path in ("spec/production.yaml", "spec/staging.yaml", "litellm/config.yaml", "src/cfncompiler/spec/model.py"):
        assert pattern.search(path), f"editing {path} does not run the hook"
    assert hook["pass_filenames"] is False


def test_the_pre_commit_ruff_is_the_ruff_make_check_runs() -> None:
    [ruff] = [repo for repo in parse(PRE_COMMIT)["repos"] if "ruff-pre-commit" in repo["repo"]]
    assert ruff["rev"] == f"v{version('ruff')}", "the hook and `make check` would format differently"


def test_the_diff_job_runs_on_pull_requests_after_the_tests_with_an_oidc_token() -> None:
    job = workflow()["jobs"]["diff"]
    assert "github.event_name == 'pull_request'" in job["if"]
    assert job["needs"] == "test"
    assert job["permissions"]["id-token"] == "write"
    [credentials] = [s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    assert credentials["with"]["role-to-assume"] == "${{ vars.CFNCOMPILER_DIFF_ROLE_ARN }}"


# --------------------------------------------------------------------------- up to date means every spec


def expanded(words: list[str]) -> str:
    """A command as it runs: a make goal becomes the commands ``make -n`` prints for it."""
    if words[0] != "make":
        return shlex.join(words)
    done = subprocess.run(["make", "-n", "-C", str(ROOT), *words[1:]], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def regenerated_specs(snippets: list[list[str]]) -> set[str]:
    text = "\n".join(expanded(words) for words in snippets)
    if "spec/*.yaml" in text:
        return {f"spec/{p.name}" for p in SPEC_DIR.glob("*.yaml")}
    return set(re.findall(r"(?:--spec |SPEC=)(spec/[\w.-]+\.yaml)", text))


def up_to_date_step() -> list[list[str]]:
    [step] = [s for _, s in steps() if "git diff --exit-code" in s.get("run", "")]
    return list(commands(step["run"]))


def templates_hook() -> list[list[str]]:
    [hook] = [h for h in local_hooks() if h["id"] == "templates-up-to-date"]
    return hook_commands(hook)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    "snippet",
    [pytest.param(up_to_date_step, id="ci-up-to-date-step"), pytest.param(templates_hook, id="pre-commit-hook")],
)
def test_the_up_to_date_checks_regenerate_the_templates_of_every_committed_spec(snippet: Any) -> None:
    committed = {f"spec/{p.name}" for p in sorted(SPEC_DIR.glob("*.yaml"))}
    assert "spec/staging.yaml" in committed
    missing = committed - regenerated_specs(snippet())
    assert missing == set(), f"templates of {sorted(missing)} can go stale without this check noticing"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_every_synth_the_ci_up_to_date_step_runs_writes_into_its_specs_own_directory() -> None:
    # Compiling staging into templates_out/ would overwrite production's templates and fail the diff.
    synths = [
        shlex.split(line)
        for words in up_to_date_step()
        for line in expanded(words).splitlines()
        if "cfncompiler synth" in line
    ]
    assert len(synths) >= 2
    for words in synths:
        spec = Path(words[words.index("--spec") + 1]) if "--spec" in words else Path("spec/production.yaml")
        out = Path(words[words.index("--out") + 1]) if "--out" in words else out_dir_for(spec)
        assert out == out_dir_for(spec), f"{shlex.join(words)} writes {spec}'s templates into {out}"


# --------------------------------------------------------------------------- the workflow's supply chain

USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?:\s+#\s*(?P<comment>.*?))?\s*$")


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_release_tag_in_a_comment() -> None:
    # A tag can be moved to other code; a commit SHA cannot. The comment says which release it is.
    uses = [m for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if (m := USES_LINE.match(line))]
    assert [m["ref"] for m in uses] == [step["uses"] for _, step in steps() if "uses" in step]
    pins: dict[str, set[str]] = {}
    for m in uses:
        action, _, ref = m["ref"].partition("@")
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{m['ref']}: not a full commit SHA"
        assert m["comment"] and re.fullmatch(r"v\d+\.\d+\.\d+", m["comment"]), f"{m['ref']}: no `# vX.Y.Z` comment"
        pins.setdefault(action, set()).add(m[0].strip())
    assert {action: len(lines) for action, lines in pins.items() if len(lines) > 1} == {}, "one pin per action"


def test_checkout_leaves_no_credentials_in_the_workspace() -> None:
    checkouts = [step for _, step in steps() if step.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) == len(workflow()["jobs"])
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_each_job_has_only_the_permissions_it_uses() -> None:
    data = workflow()
    assert data["permissions"] == {}, "nothing by default: a new job states what it needs"
    assert {name: job["permissions"] for name, job in data["jobs"].items()} == {
        "test": {"contents": "read"},
        # The cost job comments the monthly delta on the pull request, and reaches no AWS account.
        "cost": {"contents": "read", "pull-requests": "write"},
        "diff": {"contents": "read", "id-token": "write"},
    }


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_ci_runs_zizmor_offline_over_the_workflows() -> None:
    assert ["make", "workflow-lint"] in [words for _, words in all_commands()]
    zizmor = [shlex.split(line) for line in expanded(["make", "workflow-lint"]).splitlines() if "zizmor" in line]
    assert [words[1:] for words in zizmor] == [["--offline", ".github/"]]


def test_the_cost_job_prices_the_pull_request_against_the_base_branchs_templates() -> None:
    job = workflow()["jobs"]["cost"]
    assert job["if"] == "github.event_name == 'pull_request'"
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert 'git archive "$BASE_SHA" templates_out' in script
    assert "cfncompiler cost" in script and '--against "$RUNNER_TEMP/base/$out"' in script
    assert '>> "$GITHUB_STEP_SUMMARY"' in script and "gh pr comment" in script
    # No AWS credentials: the estimate is offline.
    assert all("configure-aws-credentials" not in step.get("uses", "") for step in job["steps"])
