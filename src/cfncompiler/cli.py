"""The ``cfncompiler`` command line: thin click commands over the library.

Exit codes: 0 success, 1 a gate or operation failed, 2 the input is unusable, 3 drift found
(`cfncompiler drift`), 130 interrupted while waiting on CloudFormation.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

spec_option = click.option(
    "--spec",
    "spec_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("spec/production.yaml"),
    show_default=True,
    help="Spec file to compile.",
)


def _default_out(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    from cfncompiler.naming import out_dir_for

    return value if value is not None else out_dir_for(ctx.params.get("spec_path") or Path("spec/production.yaml"))


out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    callback=_default_out,
    help="Directory of the templates [default: templates_out, or templates_out/NAME for spec/NAME.yaml].",
)


def friendly_errors(command: F) -> F:
    """Turn every expected failure into located lines on stderr and an exit code, never a traceback."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        from cfncompiler.errors import CfncompilerError

        try:
            return command(*args, **kwargs)
        except CfncompilerError as exc:
            for line in exc.lines():
                click.echo(line, err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            # The reader went away (`cfncompiler reach | head`): stop quietly, as a SIGPIPE would.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(128 + 13)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # the last line of defence against a traceback
            if os.environ.get("CFNCOMPILER_DEBUG"):
                raise
            click.echo(
                f"error: {type(exc).__name__}: {exc}. This is a bug in cfncompiler, not in your input; "
                "run again with CFNCOMPILER_DEBUG=1 for the traceback and report it.",
                err=True,
            )
            sys.exit(EXIT_FAILED)

    return run  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cfncompiler")
def main() -> None:
    """Compile a YAML platform spec into layered CloudFormation templates and deploy them."""


@main.command()
@spec_option
@out_option
@click.option("--no-lint", is_flag=True, help="Skip the cfn-lint gate (faster; CI never does).")
@friendly_errors
def synth(spec_path: Path, out_dir: Path, no_lint: bool) -> None:
    """Validate the spec, compile every layer, lint, and write the templates."""
    from cfncompiler import incremental
    from cfncompiler.limits import INLINE_TEMPLATE_BYTES

    lint = not no_lint
    record = incremental.reusable(spec_path, out_dir, lint)
    if record is not None:
        summaries, changed, warnings, linted = record.summaries, [], record.warnings, record.linted
    else:
        from cfncompiler.synth import synth as run_synth

        result = run_synth(spec_path, out_dir, lint=lint)
        summaries = [incremental.Summary(c.layer, c.file, c.resources, c.size) for c in result.layers]
        changed, warnings, linted = result.changed, result.warnings, lint
        incremental.remember(
            spec_path,
            out_dir,
            linted=lint,
            inputs=result.read_files,
            directories=result.read_directories,
            summaries=summaries,
            warnings=warnings,
        )
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    for layer in summaries:
        state = "written" if layer.file in changed else "unchanged"
        if layer.size > INLINE_TEMPLATE_BYTES:
            state += ", over 51,200 bytes: deploy stages it in S3"
        gate = "lint clean" if linted else "lint skipped"
        click.echo(
            f"{layer.layer:<14} {out_dir / layer.file}  {layer.resources:>3} resources  "
            f"{layer.size:>7,} bytes  {gate}  ({state})"
        )


@main.command()
@spec_option
@click.option("--json", "as_json", is_flag=True, help="Print the flows as JSON.")
@friendly_errors
def reach(spec_path: Path, as_json: bool) -> None:
    """Print who can reach whom on which port, from the security groups and ALB routes."""
    import json

    from cfncompiler.loader import load_spec
    from cfncompiler.reach import flows

    found = flows(load_spec(spec_path))
    if as_json:
        rows = [
            {"from": f.source, "to": f.target, "port": f.port, "protocol": f.protocol, "route": f.route} for f in found
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for flow in found:
        click.echo(str(flow))


@main.command()
@spec_option
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("docs/architecture.md"),
    show_default=True,
    help="Markdown file to write.",
)
@friendly_errors
def graph(spec_path: Path, output: Path) -> None:
    """Write the architecture diagram (Mermaid in Markdown) generated from the spec."""
    from cfncompiler.graph import architecture_document
    from cfncompiler.loader import load_spec

    _write_document(output, architecture_document(load_spec(spec_path), spec_path.as_posix()))


@main.command()
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("spec/schema.json"),
    show_default=True,
    help="Where to write the JSON Schema.",
)
@friendly_errors
def schema(output: Path) -> None:
    """Write the spec's JSON Schema, for editors (yaml-language-server) to complete and check specs."""
    from cfncompiler.schema import json_schema

    _write_document(output, json_schema())


def _write_document(output: Path, text: str) -> None:
    """A generated file written atomically, and left alone (timestamp too) when it is already current."""
    from cfncompiler.writer import write_all

    changed = write_all(output.parent, {output.name: text})
    click.echo(f"{output}: {'written' if changed else 'unchanged'}")


@main.command()
@spec_option
@out_option
@friendly_errors
def lint(spec_path: Path, out_dir: Path) -> None:
    """Run the cfn-lint gate on the templates in --out as they are on disk."""
    from cfncompiler.errors import LintFailed
    from cfncompiler.layers import ORDER
    from cfncompiler.linter import Gate
    from cfncompiler.loader import load_spec
    from cfncompiler.synth import template_file

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


# --------------------------------------------------------------------------- deploy engine

layer_option = click.option(
    "--layer",
    "layers",
    multiple=True,
    metavar="NAME",
    help="Layer to act on; repeat for several. Default: every layer, in dependency order.",
)
yes_option = click.option("--yes", is_flag=True, help="Go ahead without asking (needed when there is no terminal).")


def deploy_errors(command: F) -> F:
    """Deploy failures and AWS trouble as one paragraph on stderr and their exit code, never a traceback."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        from cfncompiler.deploy.console import failure

        try:
            return command(*args, **kwargs)
        except (Exception, KeyboardInterrupt) as exc:
            explained = failure(exc)
            if explained is None:
                raise
            message, code = explained
            click.echo(f"error: {message}", err=True)
            sys.exit(code)

    return run  # type: ignore[return-value]


@main.command()
@spec_option
@out_option
@layer_option
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON (for CI).")
@friendly_errors
@deploy_errors
def diff(spec_path: Path, out_dir: Path, layers: tuple[str, ...], as_json: bool) -> None:
    """Show what deploy would change: create each change set, print it, delete it. Changes nothing."""
    from cfncompiler.deploy.console import open_deployer
    from cfncompiler.deploy.diff import to_json

    deployer = open_deployer(spec_path, out_dir)
    if as_json:
        click.echo(to_json(deployer.diff(layers)))
        return
    for layer_diff in deployer.diff(layers):
        deployer.reporter.diff(layer_diff)


@main.command()
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
@friendly_errors
@deploy_errors
def deploy(
    spec_path: Path,
    out_dir: Path,
    layers: tuple[str, ...],
    yes: bool,
    allow_replace: tuple[str, ...],
    replace_failed: bool,
    continue_rollback: bool,
) -> None:
    """Deploy the layers through change sets, in dependency order, asking before each one runs."""
    from cfncompiler.deploy.console import open_deployer, require_confirmation
    from cfncompiler.deploy.deployer import Options

    require_confirmation(yes, "deploy")
    deployer = open_deployer(spec_path, out_dir, assume_yes=yes)
    deployer.deploy(layers, Options(frozenset(allow_replace), replace_failed, continue_rollback))


@main.command()
@spec_option
@out_option
@friendly_errors
@deploy_errors
def status(spec_path: Path, out_dir: Path) -> None:
    """One row per layer: stack status, last update, and whether it matches templates_out/."""
    from cfncompiler.deploy.console import console, open_deployer, status_table

    deployer = open_deployer(spec_path, out_dir)
    out = console()
    out.print(status_table(deployer.status(), terminal=out.is_terminal))


@main.command()
@spec_option
@out_option
@layer_option
@click.option("--json", "as_json", is_flag=True, help="Print the drift as JSON (for CI).")
@friendly_errors
@deploy_errors
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
    code, message = conclude(results)
    if message:
        click.echo(message, err=True)
    if code:
        sys.exit(code)


@main.command()
@spec_option
@out_option
@layer_option
@yes_option
@friendly_errors
@deploy_errors
def destroy(spec_path: Path, out_dir: Path, layers: tuple[str, ...], yes: bool) -> None:
    """Delete the named layers' stacks, lowest layer first; refused while a layer below still exists."""
    from cfncompiler.deploy.console import open_deployer, require_confirmation

    if not layers:
        raise click.UsageError("name the layers to destroy with --layer (repeatable); there is no destroy-all.")
    require_confirmation(yes, "destroy")
    open_deployer(spec_path, out_dir, assume_yes=yes).destroy(layers)
