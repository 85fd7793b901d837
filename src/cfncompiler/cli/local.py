"""Commands that work on this machine alone: synth, lint, rules, reach, graph, schema."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from cfncompiler.cli.options import layer_option, out_option, prices_option, spec_option

if TYPE_CHECKING:
    from cfncompiler.synth import Outcome


@click.command()
@spec_option
@out_option
@click.option("--no-lint", is_flag=True, help="Skip the cfn-lint gate (faster; CI never does).")
def synth(spec_path: Path, out_dir: Path, no_lint: bool) -> None:
    """Validate the spec, compile every layer, lint, and write the templates."""
    from cfncompiler.synth import synth_incremental

    report(out_dir, synth_incremental(spec_path, out_dir, lint=not no_lint))


def report(out_dir: Path, outcome: Outcome) -> None:
    """synth's lines: warnings on stderr, one line per layer on stdout."""
    from cfncompiler.templates.limits import INLINE_TEMPLATE_BYTES

    for warning in outcome.warnings:
        click.echo(f"warning: {warning}", err=True)
    for layer in outcome.summaries:
        state = "written" if layer.file in outcome.changed else "unchanged"
        if layer.size > INLINE_TEMPLATE_BYTES:
            state += f", over {INLINE_TEMPLATE_BYTES:,} bytes: deploy stages it in S3"
        gate = "lint clean" if outcome.linted else "lint skipped"
        click.echo(
            f"{layer.layer:<14} {out_dir / layer.file}  {layer.resources:>3} resources  "
            f"{layer.size:>7,} bytes  {gate}  ({state})"
        )


@click.command()
def rules() -> None:
    """List the spec's rules: the id every problem line ends with, its name and what it checks."""
    from cfncompiler.spec.rules import RULES, SCHEMA_RULES
    from cfncompiler.spec.rules.base import WARNING

    for schema_rule in SCHEMA_RULES:
        click.echo(f"{schema_rule.id}  {schema_rule.name:<34} {schema_rule.description}")
    for rule in RULES:
        severity = f"  ({rule.severity}: printed, synth goes on)" if rule.severity == WARNING else ""
        click.echo(f"{rule.id}  {rule.name:<34} {rule.description}{severity}")


@click.command()
@spec_option
@click.option("--json", "as_json", is_flag=True, help="Print the flows as JSON.")
def reach(spec_path: Path, as_json: bool) -> None:
    """Print who can reach whom on which port, from the security groups and ALB routes."""
    import json

    from cfncompiler.spec.load import load_spec
    from cfncompiler.spec.reach import flows

    found = flows(load_spec(spec_path))
    if as_json:
        rows = [
            {
                "from": f.source,
                "to": f.target,
                "port": f.port,
                "protocol": f.protocol,
                "route": f.route,
                "sign_in": f.sign_in,
            }
            for f in found
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for flow in found:
        click.echo(str(flow))


@click.command()
@spec_option
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("docs/architecture.md"),
    show_default=True,
    help="Markdown file to write.",
)
def graph(spec_path: Path, output: Path) -> None:
    """Write the architecture diagram (Mermaid in Markdown) generated from the spec."""
    from cfncompiler.spec.graph import architecture_document
    from cfncompiler.spec.load import load_spec

    _write_document(output, architecture_document(load_spec(spec_path), spec_path.as_posix()))


@click.command()
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("spec/schema.json"),
    show_default=True,
    help="Where to write the JSON Schema.",
)
def schema(output: Path) -> None:
    """Write the spec's JSON Schema, for editors (yaml-language-server) to complete and check specs."""
    from cfncompiler.spec.schema import json_schema

    _write_document(output, json_schema())


def _write_document(output: Path, text: str) -> None:
    """A generated file written atomically, and left alone (timestamp too) when it is already current."""
    from cfncompiler.templates.write import write_all

    changed = write_all(output.parent, {output.name: text})
    click.echo(f"{output}: {'written' if changed else 'unchanged'}")


@click.command()
@spec_option
@out_option
def lint(spec_path: Path, out_dir: Path) -> None:
    """Run the cfn-lint gate on the templates in --out as they are on disk."""
    from cfncompiler.errors import LintFailed
    from cfncompiler.gate.lint import Gate
    from cfncompiler.layers import ORDER
    from cfncompiler.naming import template_file
    from cfncompiler.spec.load import load_spec

    spec = load_spec(spec_path)
    paths = [out_dir / template_file(layer) for layer in ORDER]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise click.ClickException(f"{', '.join(missing)} missing; run `cfncompiler synth` (or `make synth`) first.")
    findings = Gate().lint([(str(p), p.read_text(encoding="utf-8")) for p in paths], spec.region)
    for path in paths:
        count = sum(1 for f in findings if f.file == str(path))
        click.echo(f"{path}: {'clean' if not count else f'{count} finding(s)'}")
    if findings:
        raise LintFailed(findings)


@click.command()
@spec_option
@out_option
@layer_option
@click.option(
    "--against",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Compare with the templates in this directory (another commit's or environment's templates_out/).",
)
@prices_option
@click.option("--json", "as_json", is_flag=True, help="Print the estimate (or the comparison) as JSON.")
def cost(
    spec_path: Path,
    out_dir: Path,
    layers: tuple[str, ...],
    against: Path | None,
    prices_path: Path | None,
    as_json: bool,
) -> None:
    """Estimate what the compiled templates cost a month, per layer and per resource; offline."""
    import json

    from cfncompiler.cost.estimate import compare, estimate, read_templates
    from cfncompiler.cost.render import change_json, estimate_json, render_comparison, render_estimate
    from cfncompiler.cost.snapshot import SNAPSHOT_PATH, load_snapshot
    from cfncompiler.deploy.console import console
    from cfncompiler.deploy.plan import select
    from cfncompiler.spec.load import load_spec
    from cfncompiler.synth import stale_templates

    spec = load_spec(spec_path)
    snapshot = load_snapshot(prices_path or SNAPSHOT_PATH)
    snapshot.region(spec.region)  # a region the snapshot lacks is said before anything is read
    selected = select(layers)
    stale = stale_templates(spec_path, out_dir)
    if stale:
        click.echo(
            f"warning: {spec_path} changed since the last synth ({', '.join(stale)} in {out_dir} differ): "
            "this prices the templates as they are; run `make synth` first to price what the spec says now.",
            err=True,
        )
    now = estimate(read_templates(out_dir, selected), spec.region, spec.usage, snapshot)
    if against is None:
        if as_json:
            click.echo(json.dumps(estimate_json(now), indent=2))
        else:
            render_estimate(console(), now)
        return
    before = estimate(read_templates(against, selected), spec.region, spec.usage, snapshot)
    changes = compare(before, now)
    if as_json:
        document = {
            "against": str(against),
            "templates": str(out_dir),
            "layers": [change_json(c) for c in changes],
            "before": round(before.monthly, 2),
            "after": round(now.monthly, 2),
            "delta": round(now.monthly - before.monthly, 2),
            "estimate": estimate_json(now),
        }
        click.echo(json.dumps(document, indent=2))
        return
    render_comparison(console(), changes, now, str(against), str(out_dir))
