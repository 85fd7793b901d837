"""The LiteLLM config, checked against the spec at synth time, and what it must contain per the design."""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from cfncompiler.cli import main
from cfncompiler.errors import Problem, SpecError
from cfncompiler.spec.assets import check_asset_configs
from cfncompiler.spec.load import load
from cfncompiler.spec.model import Service
from cfncompiler.synth import gather_inputs
from tests.spec_edit import LITELLM_DIR, edit, position, production, production_text, write_project

LABEL = Path("litellm")
O3_BASE = "      model: openai/o3-mini\n      api_base: os.environ/CUSTOM_LLM_API_BASE\n"
O3_UNSET = "      model: openai/o3-mini\n      api_base: os.environ/CUSTOM_LLM_O3_BASE\n"
EXIT_BAD_INPUT = 2


@pytest.fixture(scope="module")
def litellm() -> Service:
    return production().spec.platform.services["litellm"]


@pytest.fixture(scope="module")
def config() -> Any:
    return YAML(typ="safe").load((LITELLM_DIR / "config.yaml").read_text(encoding="utf-8"))


def project(tmp_path: Path, config_edits: list[tuple[str, str]] | None = None) -> Path:
    """A project copy under tmp_path with ``config_edits`` applied to litellm/config.yaml; returns the config."""
    write_project(tmp_path)
    path = tmp_path / "litellm" / "config.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8"), *(config_edits or [])), encoding="utf-8")
    return path


def checked(tmp_path: Path, service: Service) -> list[Problem]:
    return check_asset_configs(tmp_path / "litellm", service, LABEL)


# --------------------------------------------------------------------------- the cross-check


def test_production_config_passes(litellm: Service) -> None:
    assert check_asset_configs(LITELLM_DIR, litellm, LABEL) == []


def test_a_config_reading_an_unset_variable_fails_at_its_line(tmp_path: Path, litellm: Service) -> None:
    path = project(tmp_path, [(O3_BASE, O3_UNSET)])
    (problem,) = checked(tmp_path, litellm)
    line, column = position(path.read_text(encoding="utf-8"), "CUSTOM_LLM_O3_BASE", "os.environ/")
    assert (problem.file, problem.line, problem.column) == ("litellm/config.yaml", line, column)
    assert problem.path == "model_list[9].litellm_params.api_base"
    assert "reads os.environ/CUSTOM_LLM_O3_BASE, which the task is not given" in problem.message


def test_synth_exits_2_with_the_config_location_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project(tmp_path, [(O3_BASE, O3_UNSET)])
    line, column = position(path.read_text(encoding="utf-8"), "CUSTOM_LLM_O3_BASE", "os.environ/")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["synth", "--spec", "spec/production.yaml", "--out", "out"])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert (
        f"litellm/config.yaml:{line}:{column}: model_list[9].litellm_params.api_base: "
        "reads os.environ/CUSTOM_LLM_O3_BASE" in result.stderr
    )
    assert not (tmp_path / "out").exists()


def test_giving_the_task_the_variable_makes_the_config_pass(tmp_path: Path) -> None:
    project(tmp_path, [(O3_BASE, O3_UNSET)])
    litellm_env = "        PYTHONPATH: /app/assets\n"
    (tmp_path / "spec" / "production.yaml").write_text(
        edit(production_text(), (litellm_env, litellm_env + "        CUSTOM_LLM_O3_BASE: https://o3.example\n")),
        encoding="utf-8",
    )
    inputs = gather_inputs(load(tmp_path / "spec" / "production.yaml"))
    assert inputs.asset_prefixes["litellm"] != production().inputs.asset_prefixes["litellm"]


def test_a_duplicate_model_name_fails_at_the_second_name(tmp_path: Path, litellm: Service, config: Any) -> None:
    names = [model["model_name"] for model in config["model_list"]]
    path = project(tmp_path, [("model_name: custom-gpt-4.1-mini", "model_name: custom-gpt-4.1  # again")])
    (problem,) = checked(tmp_path, litellm)
    assert (problem.line, problem.column) == position(path.read_text(encoding="utf-8"), "# again", "custom-gpt-4.1")
    assert problem.path == f"model_list[{names.index('custom-gpt-4.1-mini')}].model_name"
    assert problem.message == (
        f"model name 'custom-gpt-4.1' is already used by model_list[{names.index('custom-gpt-4.1')}]"
    )


def test_a_model_without_a_name_fails_at_its_entry(tmp_path: Path, litellm: Service) -> None:
    path = project(tmp_path, [("  - model_name: titan-embed\n", "  - model: titan-embed   # nameless\n")])
    (problem,) = checked(tmp_path, litellm)
    assert (problem.line, problem.column) == position(path.read_text(encoding="utf-8"), "# nameless", "model:")
    assert problem.message == "a model needs a model_name"


def test_a_yaml_syntax_error_in_the_config_fails_at_its_location(tmp_path: Path, litellm: Service) -> None:
    path = project(tmp_path, [("  drop_params: true", "  drop_params: true: false")])
    (problem,) = checked(tmp_path, litellm)
    line, _ = position(path.read_text(encoding="utf-8"), "drop_params", "drop_params")
    assert (problem.file, problem.line, problem.column) == ("litellm/config.yaml", line, len("  drop_params: true") + 1)
    assert problem.message.startswith("YAML error: mapping values are not allowed here")


def test_every_yaml_file_under_the_asset_directory_is_checked(tmp_path: Path, litellm: Service) -> None:
    project(tmp_path)
    (tmp_path / "litellm" / "hooks" / "routing.yaml").write_text(
        "fallbacks:\n  - os.environ/FALLBACK_MODEL\n", encoding="utf-8"
    )
    (problem,) = checked(tmp_path, litellm)
    assert (problem.file, problem.line, problem.column) == ("litellm/hooks/routing.yaml", 2, 5)
    assert problem.path == "fallbacks[0]"


def test_every_variable_given_as_env_or_secret_is_accepted(tmp_path: Path, litellm: Service) -> None:
    project(tmp_path)
    given = [*litellm.env, *litellm.secrets]
    (tmp_path / "litellm" / "extra.yaml").write_text(
        "".join(f"v{i}: os.environ/{name}\n" for i, name in enumerate(given)), encoding="utf-8"
    )
    assert checked(tmp_path, litellm) == []


def test_a_missing_asset_directory_fails_at_the_spec_assets_path(tmp_path: Path) -> None:
    spec_path = write_project(tmp_path, litellm=False)
    with pytest.raises(SpecError) as caught:
        gather_inputs(load(spec_path))
    (problem,) = caught.value.problems
    assert problem.file == str(spec_path)
    assert problem.path == "platform.services.litellm.assets.path"
    assert (problem.line, problem.column) == position(production_text(), "assets: {path:", "../litellm")
    assert "does not exist (paths are relative to the spec file)" in problem.message


def test_synth_exits_2_when_the_asset_directory_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, litellm=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["synth", "--spec", "spec/production.yaml", "--out", "out"])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    line, column = position(production_text(), "assets: {path:", "../litellm")
    assert f"spec/production.yaml:{line}:{column}: platform.services.litellm.assets.path:" in result.stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- what the config holds

CUSTOM_OPENAI = ["custom-gpt-4o", "custom-gpt-4o-mini", "custom-gpt-4.1", "custom-gpt-4.1-mini", "custom-gpt-4.1-nano"]
CUSTOM_OPENAI += ["custom-o3-mini", "custom-gemini-2.5-flash", "custom-gemini-2.5-pro", "custom-gemini-2.0-flash"]
CUSTOM_CLAUDE = ["custom-claude-haiku", "custom-claude-sonnet", "custom-claude-opus"]


def models(config: Any) -> dict[str, dict[str, Any]]:
    return {model["model_name"]: model["litellm_params"] for model in config["model_list"]}


def test_config_has_the_twelve_custom_models_of_the_design(config: Any) -> None:
    custom = sorted(name for name in models(config) if name.startswith("custom-"))
    assert custom == sorted(CUSTOM_OPENAI + CUSTOM_CLAUDE)
    assert len(custom) == 12


@pytest.mark.parametrize("name", CUSTOM_CLAUDE)
def test_custom_claude_models_go_to_the_claude_base(config: Any, name: str) -> None:
    params = models(config)[name]
    assert params["api_base"] == "os.environ/CUSTOM_LLM_CLAUDE_API_BASE"
    assert params["api_key"] == "os.environ/CUSTOM_LLM_API_KEY"


@pytest.mark.parametrize("name", CUSTOM_OPENAI)
def test_other_custom_models_go_to_the_openai_compatible_base(config: Any, name: str) -> None:
    params = models(config)[name]
    assert params["api_base"] == "os.environ/CUSTOM_LLM_API_BASE"
    assert params["api_key"] == "os.environ/CUSTOM_LLM_API_KEY"


def test_master_key_comes_from_the_environment_the_task_gets_as_a_secret(config: Any, litellm: Service) -> None:
    assert config["general_settings"]["master_key"] == "os.environ/LITELLM_MASTER_KEY"
    assert "LITELLM_MASTER_KEY" in litellm.secrets


def test_bedrock_models_use_the_task_role_and_are_ones_it_may_invoke(config: Any, litellm: Service) -> None:
    bedrock = {name: p for name, p in models(config).items() if p["model"].startswith("bedrock/")}
    assert bedrock
    for name, params in bedrock.items():
        assert "api_key" not in params, f"{name} must be authorised by the task role, not a key"
        model_id = params["model"].removeprefix("bedrock/")
        assert any(fnmatch.fnmatchcase(model_id, glob) for glob in litellm.access.bedrock_models), model_id


def test_config_and_hooks_sit_where_the_task_looks_for_them(config: Any, litellm: Service) -> None:
    assert litellm.assets is not None
    mount = litellm.assets.mount
    assert litellm.command is not None
    config_path = litellm.command[litellm.command.index("--config") + 1]
    assert (LITELLM_DIR / Path(config_path).relative_to(mount)).is_file()
    assert litellm.env["PYTHONPATH"] == mount
    module, _, attribute = config["litellm_settings"]["callbacks"].rpartition(".")
    hook = LITELLM_DIR / (module.replace(".", "/") + ".py")
    assert f"\n{attribute} = " in hook.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- a gap these tests found (now fixed)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("blocked_users.yaml", "- alice@company.com\n- bob@company.com\n"),
        ("placeholder.yaml", "# filled in per environment\n"),
    ],
    ids=["list-at-the-root", "only-a-comment"],
)
def test_a_valid_yaml_asset_that_is_not_a_mapping_is_not_judged_as_a_spec(
    tmp_path: Path, litellm: Service, name: str, text: str
) -> None:
    """Asset YAML files are checked for parse errors, env reads and model names, not for the spec's shape:
    'the spec is empty' or 'must be a mapping of sections (project, network, ...)' is wrong for them."""
    project(tmp_path)
    (tmp_path / "litellm" / "hooks" / name).write_text(text, encoding="utf-8")
    assert checked(tmp_path, litellm) == []
