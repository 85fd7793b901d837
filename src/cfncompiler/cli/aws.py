"""Commands that talk to AWS (or the sandbox): diff, deploy, status, drift, destroy."""

from __future__ import annotations

from pathlib import Path

import click

from cfncompiler.cli.options import layer_option, out_option, prices_option, spec_option, yes_option


def compile_if_stale(spec_path: Path, out_dir: Path) -> None:
    """Deploy what the spec says now: a templates_out/ left behind by a forgotten synth is compiled
    again first (with the lint gate, exactly as `make synth`), and said so on stderr."""
    from cfncompiler.synth import stale_templates, synth_incremental

    stale = stale_templates(spec_path, out_dir)
    if not stale:
        return
    click.echo(
        f"{spec_path} changed since the last synth ({', '.join(stale)} in {out_dir} differ): "
        "compiling and linting it first, as `make synth` does.",
        err=True,
    )
    outcome = synth_incremental(spec_path, out_dir, lint=True)
    for warning in outcome.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{out_dir}: {', '.join(outcome.changed) or 'nothing'} written, lint clean.", err=True)


@click.command()
@spec_option
@out_option
@layer_option
@prices_option
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON (for CI).")
def diff(spec_path: Path, out_dir: Path, layers: tuple[str, ...], prices_path: Path | None, as_json: bool) -> None:
    """Show what deploy would change: create each change set, print it, delete it. Changes nothing.

    Each layer also shows what its deployed template costs a month, what the new one will, and the difference.
    """
    from cfncompiler.deploy.console import open_deployer
    from cfncompiler.deploy.diff import BLOCKED, to_json
    from cfncompiler.errors import Refused

    compile_if_stale(spec_path, out_dir)
    deployer = open_deployer(spec_path, out_dir)
    if prices_path is not None:
        deployer.snapshot_path = prices_path
    if as_json:
        click.echo(to_json(deployer.diff(layers)))
        return
    shown = deployer.diff(layers)
    for layer_diff in shown:
        deployer.reporter.diff(layer_diff)
    blocked = [d.layer for d in shown if d.state == BLOCKED]
    if blocked:
        raise Refused(f"{', '.join(blocked)} cannot be diffed yet (see above): the diff is incomplete.")


@click.command()
@spec_option
@out_option
@layer_option
@yes_option
@click.option(
    "--allow-replace",
    multiple=True,
    metavar="LOGICAL_ID",
    help="Let the change set remove or replace this stateful resource (its data is lost). Repeatable.",
)
@click.option(
    "--replace-failed", is_flag=True, help="Delete and recreate a stack whose creation failed (ROLLBACK_COMPLETE)."
)
@click.option("--continue-rollback", is_flag=True, help="Resume a rollback that failed (UPDATE_ROLLBACK_FAILED).")
@click.option(
    "--skip-preflight",
    is_flag=True,
    help="Go on without the checks run before each layer (empty provided secrets, missing images, zones, quota).",
)
def deploy(
    spec_path: Path,
    out_dir: Path,
    layers: tuple[str, ...],
    yes: bool,
    allow_replace: tuple[str, ...],
    replace_failed: bool,
    continue_rollback: bool,
    skip_preflight: bool,
) -> None:
    """Deploy the layers through change sets, in dependency order, asking before each one runs.

    Before each layer's change set, preflight refuses what would make the layer fail or its services
    crash-loop (a provided secret still empty, an ECR image not pushed, a DNS zone that does not exist,
    a Fargate quota too small), with the command that fixes each.
    """
    from cfncompiler.deploy.console import open_deployer, require_confirmation
    from cfncompiler.deploy.deployer import Options

    require_confirmation(yes, "deploy")
    compile_if_stale(spec_path, out_dir)
    deployer = open_deployer(spec_path, out_dir, assume_yes=yes)
    deployer.deploy(layers, Options(frozenset(allow_replace), replace_failed, continue_rollback, skip_preflight))


@click.command()
@spec_option
@out_option
def status(spec_path: Path, out_dir: Path) -> None:
    """One row per layer: stack status, last update, and whether it matches templates_out/."""
    from cfncompiler.deploy.console import console, open_deployer, status_table
    from cfncompiler.synth import stale_templates

    stale = stale_templates(spec_path, out_dir)
    deployer = open_deployer(spec_path, out_dir)
    out = console()
    out.print(status_table(deployer.status(stale=stale), terminal=out.is_terminal))
    lines, notes = deployer.records_to_create()
    if lines:
        out.print()
        out.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if stale:
        click.echo(
            f"{spec_path} changed since the last synth: run `make synth` (deploy and diff compile it first).", err=True
        )


@click.command()
@spec_option
@out_option
@layer_option
@click.option("--json", "as_json", is_flag=True, help="Print the drift as JSON (for CI).")
def drift(spec_path: Path, out_dir: Path, layers: tuple[str, ...], as_json: bool) -> None:
    """Run CloudFormation drift detection: what changed outside CloudFormation, one row per property.

    Exits 0 when every deployed layer is in sync, 3 when one has drifted, 1 when one could not be checked.
    """
    from cfncompiler.deploy.console import console, open_deployer
    from cfncompiler.deploy.drift import DriftDetector, conclude, render, to_json

    deployer = open_deployer(spec_path, out_dir)
    detector = DriftDetector(deployer.cf, deployer.project, deployer.reporter, poll_seconds=deployer.poll_seconds)
    results = detector.detect(layers)
    if as_json:
        click.echo(to_json(results))
    else:
        out = console()
        for result in results:
            render(out, result)
    ending = conclude(results)
    if ending is not None:
        raise ending


@click.command()
@spec_option
@out_option
@layer_option
@yes_option
def destroy(spec_path: Path, out_dir: Path, layers: tuple[str, ...], yes: bool) -> None:
    """Delete the named layers' stacks, lowest layer first; refused while a layer below still exists."""
    from cfncompiler.deploy.console import open_deployer, require_confirmation

    if not layers:
        raise click.UsageError(
            "name the layers to destroy with --layer (repeatable; with make: LAYER=observability); "
            "there is no destroy-all."
        )
    require_confirmation(yes, "destroy")
    open_deployer(spec_path, out_dir, assume_yes=yes).destroy(layers)


@click.command()
@spec_option
@out_option
@click.option(
    "--terraform-state",
    "state_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Terraform state (`terraform state pull`) or `terraform show -json` output.",
)
@layer_option
@click.option(
    "--map",
    "pins",
    multiple=True,
    metavar="LOGICAL_ID=TF_ADDRESS",
    help="Pin a template resource to a Terraform resource instance where matching cannot tell. Repeatable.",
)
@click.option(
    "--write-removed",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write Terraform `removed` blocks (destroy = false) for every adopted resource to this file.",
)
@yes_option
@click.option("--json", "as_json", is_flag=True, help="Print the plan and what was imported as JSON.")
def adopt(
    spec_path: Path,
    out_dir: Path,
    state_path: Path,
    layers: tuple[str, ...],
    pins: tuple[str, ...],
    write_removed: Path | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Import the live Terraform-managed resources into the layer stacks, in place: nothing recreated.

    Per layer: match, compare (refusing what would replace a resource that holds data), one IMPORT
    change set, then the diff the next deploy would apply, and how to release the resources from Terraform.
    """
    from cfncompiler.deploy.adopt_command import run_adopt

    compile_if_stale(spec_path, out_dir)
    run_adopt(spec_path, out_dir, state_path, layers, pins, write_removed, yes=yes, as_json=as_json)


@click.group()
def prices() -> None:
    """The price snapshot `cost` and `diff` read (src/cfncompiler/cost/prices.json)."""


@prices.command("refresh")
@click.option(
    "--region",
    "regions",
    multiple=True,
    metavar="REGION",
    help="Add this region to the snapshot (its regions are always refreshed). Repeatable.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Snapshot to refresh and write [default: the committed one].",
)
def refresh_prices(regions: tuple[str, ...], output: Path | None) -> None:
    """Rebuild every price of the snapshot from the AWS Price List API (GetProducts); needs AWS credentials."""
    import json
    from datetime import UTC, datetime

    from cfncompiler.cost.refresh import PRICING_REGION, refresh
    from cfncompiler.cost.snapshot import SNAPSHOT_PATH, document, load_snapshot
    from cfncompiler.deploy.session import pricing_client
    from cfncompiler.templates.write import write_all

    target = output or SNAPSHOT_PATH
    snapshot = load_snapshot(target if target.is_file() else SNAPSHOT_PATH)
    today = datetime.now(UTC).date().isoformat()
    outcome = refresh(pricing_client(PRICING_REGION), snapshot, regions, today)
    write_all(target.parent, {target.name: json.dumps(document(outcome.snapshot), indent=2) + "\n"})
    click.echo(
        f"{target}: {outcome.refreshed} price(s) read from the AWS Price List API for "
        f"{', '.join(sorted(outcome.snapshot.regions))}; {len(outcome.kept)} kept as they were."
    )
    for kept in outcome.kept:
        click.echo(f"kept: {kept}", err=True)
