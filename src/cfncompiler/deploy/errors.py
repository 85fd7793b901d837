"""The failures a deploy can end in, each a paragraph for a person and an exit code for a script."""

from __future__ import annotations

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
# What a shell reports for a process ended by Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130


class DeployError(Exception):
    """An expected way for a command to end: ``str(exc)`` is shown as it is, without a traceback."""

    exit_code = EXIT_FAILED


class BadInput(DeployError):
    """The command line, the spec or templates_out cannot be used as they are."""

    exit_code = EXIT_BAD_INPUT


class AwsUnavailable(DeployError):
    """No credentials, an endpoint that does not answer, or permission denied."""


class Refused(DeployError):
    """The deployer would not go on (guard, missing confirmation, a layer in the way); nothing was changed."""


class GuardRefused(Refused):
    """A change set would remove or replace a stateful resource that was not named with --allow-replace."""


class StackFailed(DeployError):
    """CloudFormation ran the operation and it failed; the message carries the root cause."""


class StoppedWatching(DeployError):
    """Ctrl-C while waiting: this process stopped, CloudFormation did not."""

    exit_code = EXIT_INTERRUPTED
