"""The cfn-lint gate: zero errors and zero warnings, checked in-process with the rules loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class Finding:
    file: str
    rule: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.rule} {self.path}: {self.message}"


class Linter:
    """cfn-lint with its default rule set (errors and warnings) for one region."""

    def __init__(self, region: str) -> None:
        self.region = region

    @cached_property
    def _rules(self) -> Any:
        # Imported here: cfn-lint costs ~0.6 s to import and most commands never lint.
        from cfnlint.core import get_rules

        return get_rules([], [], [])

    def lint(self, file: str, text: str) -> list[Finding]:
        from cfnlint.api import lint

        matches = lint(text, rules=self._rules, regions=[self.region])
        return [
            Finding(
                file=file,
                rule=match.rule.id,
                path="/".join(str(part) for part in (match.path or [])) or f"line {match.linenumber}",
                message=match.message,
            )
            for match in matches
        ]


def version() -> str:
    from importlib.metadata import version as installed

    return installed("cfn-lint")
