"""How the deploy engine talks to whoever runs it: a terminal, a CI log, or a test that records."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from cfncompiler.deploy.diff import LayerDiff
from cfncompiler.deploy.events import Event


class Reporter(Protocol):
    def note(self, layer: str, message: str) -> None: ...

    def event(self, layer: str, event: Event) -> None: ...

    def diff(self, diff: LayerDiff) -> None: ...

    def confirm(self, diff: LayerDiff, question: str) -> bool: ...

    def waiting(self, layer: str, doing: str) -> AbstractContextManager[None]:
        """Held while CloudFormation works on a stack (a terminal shows a spinner and the time taken)."""
        ...
