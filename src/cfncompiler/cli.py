"""The ``cfncompiler`` command line: thin click commands over the library.

Exit codes: 0 success, 1 a gate or operation failed, 2 the input is unusable.
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
out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("templates_out"),
    show_default=True,
    help="Directory the templates are written to.",
)


def friendly_errors(command: F) -> F:
    """Turn every expected failure into located lines on stderr and an exit code, never a traceback."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        from cfncompiler.limits import LimitExceeded
        from cfncompiler.loader import SpecError
        from cfncompiler.synth import LintFailed

        try:
            return command(*args, **kwargs)
        except SpecError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo(f"{len(exc.problems)} problem(s) in the spec; nothing was written.", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except LimitExceeded as exc:
            for line in [*exc.messages, *(str(p) for p in exc.problems)]:
                click.echo(line, err=True)
            click.echo("Over a CloudFormation or service limit; nothing was written.", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except LintFailed as exc:
            for finding in exc.findings:
                click.echo(str(finding), err=True)
            click.echo(f"cfn-lint gate failed with {len(exc.findings)} finding(s); nothing was written.", err=True)
            sys.exit(EXIT_FAILED)
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
    from cfncompiler.synth import synth as run_synth

    result = run_synth(spec_path, out_dir, lint=not no_lint)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    from cfncompiler.limits import INLINE_TEMPLATE_BYTES

    for layer in result.layers:
        state = "written" if layer.file in result.changed else "unchanged"
        if layer.size > INLINE_TEMPLATE_BYTES:
            state += ", over 51,200 bytes: deploy stages it in S3"
        lint = "lint clean" if result.linted else "lint skipped"
        click.echo(
            f"{layer.layer:<14} {out_dir / layer.file}  {layer.resources:>3} resources  "
            f"{layer.size:>7,} bytes  {lint}  ({state})"
        )


@main.command()
@spec_option
@out_option
@friendly_errors
def lint(spec_path: Path, out_dir: Path) -> None:
    """Run the cfn-lint gate on the templates in --out as they are on disk."""
    from cfncompiler.layers import ORDER
    from cfncompiler.linter import Gate
    from cfncompiler.loader import load_spec
    from cfncompiler.synth import LintFailed, template_file

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
