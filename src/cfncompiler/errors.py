"""What can go wrong with the user's input, as values the CLI can print without a traceback.

Kept free of heavy imports: the CLI catches these around every command, so
importing them must cost nothing for commands that never compile anything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located problem in a file: ``file:line:col: path: message``."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class SpecError(Exception):
    """The spec cannot be used; ``problems`` says why, one located line each."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Finding:
    """One cfn-lint finding in a template."""

    file: str
    rule: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.rule} {self.path}: {self.message}"


class LintFailed(Exception):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(str(f) for f in findings))
        self.findings = findings


class LimitExceeded(Exception):
    """Over a CloudFormation hard limit or a service quota the spec determines."""

    def __init__(self, messages: list[str], problems: list[Problem]) -> None:
        super().__init__("\n".join([*messages, *(str(p) for p in problems)]))
        self.messages = messages
        self.problems = problems


class NameClash(Exception):
    """Two spec entries compile to the same CloudFormation logical id (names compare without hyphens
    or case, and a prefix can meet a name: bucket 'state' has policy 'BucketStatePolicy', as a bucket
    named 'state-policy' would). ``first`` and ``second`` are the spec paths of the two, when known."""

    def __init__(self, title: str, first: tuple[str | int, ...] | None, second: tuple[str | int, ...] | None) -> None:
        super().__init__(title)
        self.title = title
        self.first = first
        self.second = second


class OutputError(Exception):
    """The templates could not be written where they were asked for; nothing there was changed."""
