"""The ``cfncompiler`` command line: thin click commands over the library, one error handler for all.

Exit codes (all defined in :mod:`cfncompiler.errors`): 0 success, 1 a gate or operation failed,
2 the input is unusable, 3 drift found (`cfncompiler drift`), 130 interrupted while waiting on
CloudFormation, 141 the reader of our output went away.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import click

from cfncompiler.cli import aws, local
from cfncompiler.errors import EXIT_BROKEN_PIPE, EXIT_FAILED, EXIT_INTERRUPTED, CfncompilerError

AWS_COMMANDS = (aws.diff, aws.deploy, aws.status, aws.drift, aws.destroy, aws.adopt, aws.prices)
LOCAL_COMMANDS = (local.synth, local.lint, local.rules, local.reach, local.graph, local.schema, local.cost)


class Cli(click.Group):
    """Every command runs through :func:`fail`: an expected failure is its lines and exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            fail(exc, talks_to_aws=ctx.invoked_subcommand in {c.name for c in AWS_COMMANDS})


def fail(exc: BaseException, *, talks_to_aws: bool) -> NoReturn:
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`cfncompiler reach | head`): stop quietly, as a SIGPIPE would.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    if isinstance(exc, KeyboardInterrupt):
        if not talks_to_aws:
            raise click.Abort() from None
        click.echo(
            "error: Interrupted. Anything CloudFormation had started carries on; see `cfncompiler status`.", err=True
        )
        sys.exit(EXIT_INTERRUPTED)
    if not isinstance(exc, CfncompilerError) and type(exc).__module__.startswith("botocore"):
        exc = _aws_failure(exc) or exc
    if isinstance(exc, CfncompilerError):
        for line in exc.lines():
            click.echo(line, err=True)
        sys.exit(exc.exit_code)
    if os.environ.get("CFNCOMPILER_DEBUG"):
        raise exc
    click.echo(
        f"error: {type(exc).__name__}: {exc}. This is a bug in cfncompiler, not in your input; "
        "run again with CFNCOMPILER_DEBUG=1 for the traceback and report it.",
        err=True,
    )
    sys.exit(EXIT_FAILED)


def _aws_failure(exc: BaseException) -> CfncompilerError | None:
    """botocore's exceptions as the paragraph a person can act on (imported only when one was raised)."""
    from botocore.exceptions import ClientError

    from cfncompiler.deploy.session import explain
    from cfncompiler.errors import AwsUnavailable

    paragraph = explain(exc)
    if paragraph is None and isinstance(exc, ClientError):
        # CloudFormation's own refusals (a template error, a bad parameter) are sentences already.
        error = exc.response.get("Error", {})
        paragraph = f"AWS rejected {exc.operation_name}: {error.get('Code')}: {error.get('Message')}"
    return AwsUnavailable(paragraph) if paragraph else None


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cfncompiler")
def main() -> None:
    """Compile a YAML platform spec into layered CloudFormation templates and deploy them."""


for command in (*LOCAL_COMMANDS, *AWS_COMMANDS):
    main.add_command(command)
