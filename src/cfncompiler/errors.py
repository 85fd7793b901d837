"""Every expected way a command can end, as one exception family carrying its exit code.

The CLI has one handler: it prints :meth:`CfncompilerError.lines` on stderr and exits
with ``exit_code``. Nothing else in the package picks an exit code or prints a failure.
Kept free of heavy imports: the handler wraps every command, so importing this module
must cost nothing for commands that never compile or deploy anything.
"""

from __future__ import annotations

from dataclasses import dataclass

# Every exit code a command uses, in one place (the CLI's help lists them).
EXIT_OK = 0
EXIT_FAILED = 1  # a gate or an operation failed
EXIT_BAD_INPUT = 2  # the input (spec, flags, templates_out, a state file) cannot be used
EXIT_DRIFTED = 3  # `drift` found a difference, so a schedule can tell drift from a failed check
EXIT_INTERRUPTED = 130  # what a shell reports for a process ended by Ctrl-C (128 + SIGINT)
EXIT_BROKEN_PIPE = 128 + 13  # the reader of our output went away, as a SIGPIPE would end us


class CfncompilerError(Exception):
    """An expected failure: ``lines()`` is shown as it is, without a traceback, and the process exits ``exit_code``."""

    exit_code = EXIT_FAILED

    def lines(self) -> list[str]:
        return [f"error: {self}"]


@dataclass(frozen=True)
class Problem:
    """One located problem in a file: ``file:line:col: path: message [rule]``."""

    file: str
    line: int
    column: int
    path: str
    message: str
    rule: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        return f"{text} [{self.rule}]" if self.rule else text


class SpecError(CfncompilerError):
    """The spec cannot be used; ``problems`` says why, one located line each."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    def lines(self) -> list[str]:
        return [*(str(p) for p in self.problems), f"{len(self.problems)} problem(s) in the spec; nothing was written."]


@dataclass(frozen=True)
class Finding:
    """One cfn-lint finding in a template."""

    file: str
    rule: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.rule} {self.path}: {self.message}"


class LintFailed(CfncompilerError):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(str(f) for f in findings))
        self.findings = findings

    def lines(self) -> list[str]:
        summary = f"cfn-lint gate failed with {len(self.findings)} finding(s); nothing was written."
        return [*(str(f) for f in self.findings), summary]


class LimitExceeded(CfncompilerError):
    """Over a CloudFormation hard limit or a service quota the spec determines."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, messages: list[str], problems: list[Problem]) -> None:
        super().__init__("\n".join([*messages, *(str(p) for p in problems)]))
        self.messages = messages
        self.problems = problems

    def lines(self) -> list[str]:
        return [
            *self.messages,
            *(str(p) for p in self.problems),
            "Over a CloudFormation or service limit; nothing was written.",
        ]


class NameClash(CfncompilerError):
    """Two spec entries compile to the same CloudFormation logical id (names compare without hyphens
    or case, and a prefix can meet a name: bucket 'state' has policy 'BucketStatePolicy', as a bucket
    named 'state-policy' would). ``first`` and ``second`` are the spec paths of the two, when known."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, title: str, first: tuple[str | int, ...] | None, second: tuple[str | int, ...] | None) -> None:
        super().__init__(title)
        self.title = title
        self.first = first
        self.second = second


class OutputError(CfncompilerError):
    """The templates could not be written where they were asked for; nothing there was changed."""


# --------------------------------------------------------------------------- talking to AWS


class DeployError(CfncompilerError):
    """A command that talks to AWS ended in an expected way: ``str(exc)`` is the paragraph shown."""


class BadInput(DeployError):
    """The command line, the spec, templates_out or a state file cannot be used as they are."""

    exit_code = EXIT_BAD_INPUT


class AwsUnavailable(DeployError):
    """No credentials, an endpoint that does not answer, or permission denied."""


class Refused(DeployError):
    """The command would not go on (guard, missing confirmation, a layer in the way); nothing was changed."""


class GuardRefused(Refused):
    """A change set would remove or replace a stateful resource that was not named with --allow-replace."""


class PreflightFailed(Refused):
    """Preflight found what would make a layer fail or its services crash-loop, before its change set."""

    def __init__(self, layer: str, stack: str, problems: list[str]) -> None:
        self.head = (
            f"Preflight stopped the {layer} layer before its change set ({stack} was not changed): "
            f"{len(problems)} problem(s)."
        )
        self.problems = problems
        self.tail = "Fix them and deploy again, or go on regardless with --skip-preflight."
        super().__init__("\n\n".join([self.head, *problems, self.tail]))

    def lines(self) -> list[str]:
        return [f"error: {self.head}", *(line for problem in self.problems for line in ("", problem)), "", self.tail]


class StackFailed(DeployError):
    """CloudFormation ran the operation and it failed; the message carries the root cause."""


class StoppedWatching(DeployError):
    """Ctrl-C while waiting: this process stopped, CloudFormation did not."""

    exit_code = EXIT_INTERRUPTED


class Drifted(CfncompilerError):
    """Drift detection ran and found a layer changed outside CloudFormation."""

    exit_code = EXIT_DRIFTED

    def lines(self) -> list[str]:
        return [str(self)]


# --------------------------------------------------------------------------- cost


class PricesUnavailable(CfncompilerError):
    """The price snapshot cannot price this spec: no such file, not a snapshot, or no prices for its region."""

    exit_code = EXIT_BAD_INPUT
