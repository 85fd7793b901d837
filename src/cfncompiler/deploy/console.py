"""The deployer on a terminal: rich output, the confirmation question, and the deployer wired for a command.

Results (diff tables, status) go to stdout; progress and events go to stderr,
so ``diff --json`` and ``status`` pipe cleanly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from cfncompiler.deploy.deployer import STALE_STATE, UP_TO_DATE_STATE, Deployer, LayerStatus
from cfncompiler.deploy.diff import LayerDiff, render
from cfncompiler.deploy.events import Event
from cfncompiler.errors import Refused

# Piped output is read by scripts and people in wide log viewers: don't wrap it at 80 columns.
PIPED_WIDTH = 200

_STATE_STYLE = {UP_TO_DATE_STATE: "green", STALE_STATE: "yellow"}


def interactive() -> bool:
    """A person can answer a question: stdin is a terminal."""
    return sys.stdin.isatty()


def console(*, stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else PIPED_WIDTH)


@contextmanager
def _live(progress: Progress) -> Iterator[None]:
    with progress:
        yield


def require_confirmation(assume_yes: bool, action: str) -> None:
    """Refuse up front, before anything is read or created, when nobody can be asked (as ``terraform apply``)."""
    if not assume_yes and not interactive():
        review = "Review `cfncompiler status`" if action == "destroy" else "Review `cfncompiler diff`"
        raise Refused(
            f"{action} asks before it changes anything, and there is no terminal to ask on. "
            f"{review} and pass --yes to go ahead without asking (with make: DEPLOY_FLAGS=--yes; as in CI)."
        )


class ConsoleReporter:
    def __init__(self, *, assume_yes: bool) -> None:
        self.assume_yes = assume_yes
        self.out = console()
        self.err = console(stderr=True)

    def waiting(self, layer: str, doing: str) -> AbstractContextManager[None]:
        if not self.err.is_terminal:
            return nullcontext()
        # Transient: the spinner line disappears when the stack is done; events print above it.
        progress = Progress(
            SpinnerColumn(),
            TextColumn(f"[bold]{layer:<14}[/] {doing} in progress"),
            TimeElapsedColumn(),
            console=self.err,
            transient=True,
        )
        progress.add_task(doing, total=None)
        return _live(progress)

    def note(self, layer: str, message: str) -> None:
        self.err.print(Text.assemble((f"{layer:<14}", "bold"), " ", message))

    def event(self, layer: str, event: Event) -> None:
        style = "red" if event.failed else ("green" if event.status.endswith("_COMPLETE") else "")
        self.err.print(
            Text.assemble(
                f"  {event.timestamp:%H:%M:%S} {event.logical_id:<36} ",
                (event.status, style),
                f"  {event.reason}" if event.reason else "",
            )
        )

    def diff(self, diff: LayerDiff) -> None:
        render(self.out, diff)

    def confirm(self, diff: LayerDiff, question: str) -> bool:
        if self.assume_yes:
            return True
        return interactive() and click.confirm(question, default=False, err=True)


def status_table(rows: Sequence[LayerStatus], *, terminal: bool) -> Table:
    table = Table(box=box.SIMPLE_HEAD if terminal else None, show_edge=False, pad_edge=False)
    for column in ("Layer", "Stack", "Status", "Last update", "State", "In ALARM", "Details"):
        table.add_column(column, overflow="fold")
    for row in rows:
        when = f"{row.last_change:%Y-%m-%d %H:%M:%S %Z}".strip() if row.last_change else "-"
        style = _STATE_STYLE.get(row.state, "dim")
        table.add_row(
            row.layer,
            row.stack_name,
            row.stack_status,
            when,
            Text(row.state, style=style),
            _alarms_cell(row),
            Text("; ".join(row.reasons) or "-"),
        )
    return table


def _alarms_cell(row: LayerStatus) -> Text:
    if row.alarms is None:
        return Text("-", style="dim")
    firing = bool(row.alarms.firing) or row.alarms.unreadable is not None
    return Text(row.alarms.render(), style="red" if firing else "green" if row.alarms.total else "dim")


def open_deployer(spec_path: Path, out_dir: Path, *, assume_yes: bool = False) -> Deployer:
    from cfncompiler.deploy.project import open_project
    from cfncompiler.deploy.session import connect, region_note

    project = open_project(spec_path, out_dir)
    note = region_note(project.region, os.environ)
    if note:
        click.echo(note, err=True)
    if project.account is None:
        click.echo(
            f"warning: {spec_path} names no account, so this is not pinned to one: add `account:` to the spec.",
            err=True,
        )
    return Deployer(connect(project.region, project.account), project, ConsoleReporter(assume_yes=assume_yes))
