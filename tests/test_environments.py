"""Environments: a spec that ``extends`` another and overrides some of its values.

Maps merge key by key, scalars and lists replace, ``null`` removes a key; a problem points into the
file its value came from; a cycle is refused. ``spec/staging.yaml`` compiles into
``templates_out/staging/`` (``naming.out_dir_for``), passes the lint gate, and differs from production
exactly where it says so.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from cfncompiler.layers import ORDER
from cfncompiler.naming import TEMPLATES_DIR, out_dir_for, stack_name
from cfncompiler.spec.load import load_spec
from cfncompiler.synth import synth
from tests.env_support import LAYER_FILES, ROOT, STAGING_SPEC, copy_project, run, templates_in
from tests.spec_edit import compile_templates, edit, position, problems_of, production, resources_of_type

# One worker runs the whole module, so its module-scoped staging builds are made once, not once per worker.
pytestmark = pytest.mark.xdist_group("environments")

TemplateDict = dict[str, Any]
STAGING_HOSTS = {
    "coder.staging.company.com",
    "ai.staging.company.com",
    "admin.staging.company.com",
    "langfuse.staging.company.com",
    "ide.staging.company.com",  # the direct path's host (its rule signs in, then answers 404)
    "*--*.staging.company.com",  # Coder's app hosts under staging's own wildcard access URL
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of spec/ and litellm/ under tmp_path."""
    return copy_project(tmp_path / "project")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def replace_in(path: Path, *edits: tuple[str, str]) -> str:
    text = edit(path.read_text(encoding="utf-8"), *edits)
    path.write_text(text, encoding="utf-8")
    return text


# --------------------------------------------------------------------------- where the templates go


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("spec/production.yaml", "templates_out"),
        ("spec/staging.yaml", "templates_out/staging"),
        ("/elsewhere/envs/eu-west.yaml", "templates_out/eu-west"),
    ],
)
def test_out_dir_for_puts_production_at_the_top_and_each_environment_in_its_own_directory(
    spec: str, expected: str
) -> None:
    assert out_dir_for(Path(spec)) == Path(expected)


@pytest.fixture(scope="module")
def staging_synth(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """``cfncompiler synth --spec spec/staging.yaml`` (lint gate on) run in a copy of the project."""
    root = copy_project(tmp_path_factory.mktemp("staging") / "project")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        return root, run("synth", "--spec", "spec/staging.yaml")


def test_synth_of_staging_writes_templates_out_staging_and_nothing_at_the_top(
    staging_synth: tuple[Path, Result],
) -> None:
    root, result = staging_synth
    assert result.exit_code == 0, result.output
    assert sorted(templates_in(root / "templates_out" / "staging")) == sorted(LAYER_FILES)
    assert templates_in(root / "templates_out") == {}
    for layer in ORDER:
        assert f"{TEMPLATES_DIR / 'staging' / f'{layer}.yaml'}  " in result.stdout


def test_the_staging_templates_pass_the_lint_gate(staging_synth: tuple[Path, Result]) -> None:
    _, result = staging_synth
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(ORDER)
    assert all("lint clean" in line for line in lines), result.stdout


def test_lint_with_the_staging_spec_checks_templates_out_staging(
    staging_synth: tuple[Path, Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = staging_synth
    monkeypatch.chdir(root)
    result = run("lint", "--spec", "spec/staging.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{TEMPLATES_DIR / 'staging' / f'{layer}.yaml'}: clean" for layer in ORDER]


def test_the_committed_staging_templates_are_what_spec_staging_yaml_compiles_to(
    staging_synth: tuple[Path, Result],
) -> None:
    root, result = staging_synth
    assert result.exit_code == 0, result.output
    compiled = templates_in(root / "templates_out" / "staging")
    committed = templates_in(ROOT / "templates_out" / "staging")
    stale = sorted(name for name in compiled if committed.get(name) != compiled[name])
    assert stale == [], f"templates_out/staging is stale ({stale}): run `make synth SPEC=spec/staging.yaml`"


# --------------------------------------------------------------------------- staging differs where it says


@pytest.fixture(scope="module")
def staging_templates() -> dict[str, TemplateDict]:
    return compile_templates(STAGING_SPEC)


def production_templates() -> dict[str, TemplateDict]:
    return production().templates


def one(template: TemplateDict, resource_type: str) -> TemplateDict:
    [body] = resources_of_type(template, resource_type).values()
    props: TemplateDict = body["Properties"]
    return props


def ecs_services(template: TemplateDict) -> dict[str, TemplateDict]:
    return {k: v["Properties"] for k, v in resources_of_type(template, "AWS::ECS::Service").items()}


def routed_hosts(template: TemplateDict) -> set[str]:
    rules = resources_of_type(template, "AWS::ElasticLoadBalancingV2::ListenerRule").values()
    return {
        host
        for rule in rules
        for condition in rule["Properties"]["Conditions"]
        for host in condition.get("HostHeaderConfig", {}).get("Values", [])
    }


def test_staging_names_every_stack_and_resource_after_coder_staging(
    staging_templates: dict[str, TemplateDict],
) -> None:
    spec = load_spec(STAGING_SPEC)
    assert [stack_name(spec.project, layer) for layer in ORDER] == [f"coder-staging-{layer}" for layer in ORDER]
    platform = staging_templates["platform"]
    assert one(platform, "AWS::ECS::Cluster")["ClusterName"] == "coder-staging"
    families = [
        body["Properties"]["Family"] for body in resources_of_type(platform, "AWS::ECS::TaskDefinition").values()
    ]
    assert families and all(f.startswith("coder-staging-") for f in families)
    for layer, template in staging_templates.items():
        assert template["Description"].startswith(f"coder-staging {layer} layer"), template["Description"]
        assert "coder-production" not in str(template), f"the staging {layer} template names production"


def test_staging_runs_a_smaller_database_and_cache(staging_templates: dict[str, TemplateDict]) -> None:
    staging = one(staging_templates["data"], "AWS::RDS::DBInstance")
    prod = one(production_templates()["data"], "AWS::RDS::DBInstance")
    assert (prod["DBInstanceClass"], staging["DBInstanceClass"]) == ("db.r6g.large", "db.t4g.medium")
    assert staging["BackupRetentionPeriod"] == 7
    cache = one(staging_templates["data"], "AWS::ElastiCache::ReplicationGroup")
    assert (cache["CacheNodeType"], cache["NumCacheClusters"]) == ("cache.t4g.small", 1)


def test_staging_runs_one_litellm_replica(staging_templates: dict[str, TemplateDict]) -> None:
    def litellm(template: TemplateDict) -> TemplateDict:
        [found] = [s for name, s in ecs_services(template).items() if "Litellm" in name]
        return found

    assert litellm(production_templates()["platform"])["DesiredCount"] == 2
    assert litellm(staging_templates["platform"])["DesiredCount"] == 1


def test_staging_routes_its_own_hosts_under_its_own_certificate(staging_templates: dict[str, TemplateDict]) -> None:
    hosts = routed_hosts(staging_templates["platform"]) | routed_hosts(staging_templates["observability"])
    assert hosts == STAGING_HOSTS
    certificate = one(staging_templates["platform"], "AWS::CertificateManager::Certificate")
    assert certificate["DomainName"] == "coder.staging.company.com"
    assert certificate["SubjectAlternativeNames"] == ["*.staging.company.com"]


def test_staging_keeps_what_it_does_not_override(staging_templates: dict[str, TemplateDict]) -> None:
    prod, staging = production_templates()["network"], staging_templates["network"]
    assert sorted(prod["Resources"]) == sorted(staging["Resources"])
    vpc = one(staging_templates["network"], "AWS::EC2::VPC")
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    prod_db = one(production_templates()["data"], "AWS::RDS::DBInstance")
    staging_db = one(staging_templates["data"], "AWS::RDS::DBInstance")
    assert staging_db["EngineVersion"] == prod_db["EngineVersion"] == "16.9"


# --------------------------------------------------------------------------- merge rules


def test_maps_merge_key_by_key_and_lists_replace() -> None:
    spec = load_spec(STAGING_SPEC)
    coder = spec.platform.services["coder"]
    assert coder.env["CODER_ACCESS_URL"] == "https://coder.staging.company.com"  # overridden
    assert coder.env["CODER_HTTP_ADDRESS"] == "0.0.0.0:7080"  # kept from production
    assert coder.image == production().spec.platform.services["coder"].image
    assert spec.platform.certificate.alternative_names == ["*.staging.company.com"]  # replaced, not appended


def test_null_removes_a_key_from_the_base(project: Path) -> None:
    staging = project / "spec" / "staging.yaml"
    replace_in(
        staging,
        ("  buckets:\n    langfuse-events:\n", "  buckets:\n    backups: null\n    langfuse-events:\n"),
        (
            "      route: {host: admin.staging.company.com, health_path: /health}\n",
            "      route: null\n",
        ),
    )
    spec = load_spec(staging)
    assert "backups" in production().spec.data.buckets
    assert "backups" not in spec.data.buckets
    assert spec.platform.services["key-provisioner"].route is None
    assert "terraform-state" in spec.data.buckets


def test_overriding_one_of_two_values_that_share_a_yaml_anchor_leaves_the_other_alone(project: Path) -> None:
    # production.yaml gives langfuse-web and langfuse-worker one env through &langfuse-env; an
    # environment that overrides langfuse-web's env must not change langfuse-worker's.
    child = write(
        project / "spec" / "child.yaml",
        "extends: production.yaml\nobservability:\n  services:\n    langfuse-web:\n      env:\n"
        "        NEXTAUTH_URL: https://langfuse.child.example.com\n",
    )
    spec = load_spec(child)
    services = spec.observability.services
    assert services["langfuse-web"].env["NEXTAUTH_URL"] == "https://langfuse.child.example.com"
    assert services["langfuse-worker"].env["NEXTAUTH_URL"] == "https://langfuse.company.com"


def test_an_environment_in_another_directory_finds_the_assets_the_base_names(project: Path) -> None:
    # production.yaml names ../litellm relative to itself; an environment in spec/envs/ extends it.
    env = write(project / "spec" / "envs" / "dev.yaml", "extends: ../production.yaml\nproject: coder-dev\n")
    result = synth(env, project / "out", lint=False)
    assert [c.layer for c in result.layers] == list(ORDER)


# --------------------------------------------------------------------------- located problems


def test_a_problem_in_an_override_points_at_the_override_file(project: Path) -> None:
    staging = project / "spec" / "staging.yaml"
    text = replace_in(staging, ("    clickhouse:\n      memory: 2048\n", "    clickhouse:\n      memory: 3000\n"))
    out = project / "out"
    result = run("synth", "--spec", staging, "--out", out, "--no-lint")
    assert result.exit_code == 2, result.output
    line, column = position(text, "memory: 3000", "3000")
    assert result.stderr.splitlines()[0] == (
        f"{staging}:{line}:{column}: observability.services.clickhouse.memory: 3000 is not a valid Fargate "
        "memory size for 1024 CPU units (choose 2048-8192 in steps of 1024) [S301]"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        pytest.param(
            "      cpu: 256         # 0.25 vCPU\n      memory: 512\n",
            "      cpu: 256         # 0.25 vCPU\n      memory: 3000\n",
            "platform.services.key-provisioner.memory",
            id="in-a-map-the-environment-does-not-touch",
        ),
        pytest.param(
            "      image: clickhouse/clickhouse-server:24.8\n      cpu: 1024\n",
            "      image: clickhouse/clickhouse-server:24.8\n      cpu: 1000\n",
            "observability.services.clickhouse.cpu",
            id="in-a-map-the-environment-merges-into",
        ),
    ],
)
def test_a_problem_in_a_base_value_points_at_the_base_file(project: Path, old: str, new: str, path: str) -> None:
    base = project / "spec" / "production.yaml"
    text = replace_in(base, (old, new))
    value = new.rstrip("\n").rsplit(": ", 1)[1]
    [problem] = problems_of(project / "spec" / "staging.yaml")
    assert (problem.file, problem.path) == (str(base), path)
    assert (problem.line, problem.column) == position(text, new.rstrip("\n").splitlines()[-1], value)


def test_a_required_key_removed_with_null_is_reported_where_the_null_is_written(project: Path) -> None:
    staging = project / "spec" / "staging.yaml"
    text = replace_in(staging, ("    instance_class: db.t4g.medium\n", "    instance_class: null\n"))
    [problem] = problems_of(staging)
    assert problem.path == "data.database.instance_class"
    assert problem.message == "required key is missing"
    assert (problem.file, problem.line, problem.column) == (
        str(staging),
        *position(text, "instance_class: null", "null"),
    )


def test_extends_naming_a_missing_file_is_a_located_problem(tmp_path: Path) -> None:
    child = write(tmp_path / "child.yaml", "extends: nowhere.yaml\nproject: child\n")
    [problem] = problems_of(child)
    assert problem.file == str(tmp_path / "nowhere.yaml")
    assert problem.message == "file not found"


@pytest.mark.parametrize(
    ("files", "closing"),
    [
        pytest.param(
            {"a.yaml": "extends: b.yaml\nproject: aaa\n", "b.yaml": "extends: a.yaml\n"}, "b.yaml", id="a-b-a"
        ),
        pytest.param({"a.yaml": "project: aaa\nextends: a.yaml\n"}, "a.yaml", id="a-extends-itself"),
        pytest.param(
            {
                "a.yaml": "extends: b.yaml\n",
                "b.yaml": "extends: c.yaml\n",
                "c.yaml": "# c\nextends: ./a.yaml\n",
            },
            "c.yaml",
            id="a-b-c-a",
        ),
    ],
)
def test_a_cycle_of_extends_is_refused_at_the_extends_that_closes_it(
    tmp_path: Path, files: dict[str, str], closing: str
) -> None:
    for name, text in files.items():
        write(tmp_path / name, text)
    out = tmp_path / "out"
    result = run("synth", "--spec", tmp_path / "a.yaml", "--out", out, "--no-lint")
    assert result.exit_code == 2, result.output
    closing_text = files[closing]
    base = closing_text.split("extends: ", 1)[1].split("\n")[0]
    line, column = position(closing_text, "extends:", base)
    assert result.stderr.splitlines() == [
        f"{tmp_path / closing}:{line}:{column}: extends: {base} extends this file again (a cycle) [S005]",
        "1 problem(s) in the spec; nothing was written.",
    ]
    assert not out.exists()


def test_reach_and_graph_take_the_environment_spec(tmp_path: Path) -> None:
    reach = run("reach", "--spec", STAGING_SPEC)
    assert reach.exit_code == 0, reach.output
    assert "alb -> coder:7080  (route coder.staging.company.com)" in reach.stdout.splitlines()
    output = tmp_path / "architecture.md"
    graph = run("graph", "--spec", STAGING_SPEC, "--output", output)
    assert graph.exit_code == 0, graph.output
    document = output.read_text(encoding="utf-8")
    assert document.startswith("# coder-staging architecture\n")
    assert '    database[("PostgreSQL 16.9<br/>db.t4g.medium")]' in document


# --------------------------------------------------------------------------- make SPEC=...

COMMITTED_SPECS = sorted(p.name for p in (ROOT / "spec").glob("*.yaml"))
# goal -> (the program line `make -n` prints for it, the option naming the directory it acts on)
MAKE_GOALS = {
    "synth": ("cfncompiler synth", "--out"),
    "lint": ("cfncompiler lint", "--out"),
    "diff": ("cfncompiler diff", "--out"),
    "deploy": ("cfncompiler deploy", "--out"),
    "status": ("cfncompiler status", "--out"),
    "destroy": ("cfncompiler destroy", "--out"),
    "security": ("checkov", "--directory"),
}


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("goal", sorted(MAKE_GOALS))
@pytest.mark.parametrize("spec_name", COMMITTED_SPECS)
def test_make_with_spec_acts_on_that_specs_own_templates(spec_name: str, goal: str) -> None:
    # staging.yaml says `make synth SPEC=spec/staging.yaml` writes templates_out/staging/; CI and the
    # pre-commit hook rely on it. Writing (or deploying) another spec's directory would mix environments.
    spec = Path("spec") / spec_name
    done = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "--no-print-directory", goal, f"SPEC={spec}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    program, option = MAKE_GOALS[goal]
    [line] = [line for line in done.stdout.splitlines() if program in line]
    words = shlex.split(line)
    directory = Path(words[words.index(option) + 1]) if option in words else out_dir_for(spec)
    assert directory == out_dir_for(spec), f"`make {goal} SPEC={spec}` acts on {directory}"
