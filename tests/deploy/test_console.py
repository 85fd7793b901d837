"""The terminal reporter: a spinner with the time taken while a stack works, nothing extra when piped."""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console

from cfncompiler.deploy.console import ConsoleReporter
from cfncompiler.deploy.deployer import Options
from cfncompiler.layers import ORDER
from tests.deploy.conftest import Recorder, Workspace, new_workspace


def reporter_on(stream: io.StringIO, *, terminal: bool) -> ConsoleReporter:
    reporter = ConsoleReporter(assume_yes=True)
    reporter.err = Console(file=stream, force_terminal=terminal, width=100, color_system=None)
    return reporter


def test_on_a_terminal_waiting_shows_the_layer_what_is_happening_and_the_time_taken() -> None:
    stream = io.StringIO()
    reporter = reporter_on(stream, terminal=True)
    with reporter.waiting("platform", "update"):
        time.sleep(0.3)  # long enough for the live display to draw at least once
    drawn = stream.getvalue()
    assert "platform" in drawn
    assert "update in progress" in drawn
    assert "0:00:00" in drawn  # rich's elapsed-time column


def test_piped_waiting_prints_nothing() -> None:
    stream = io.StringIO()
    reporter = reporter_on(stream, terminal=False)
    with reporter.waiting("platform", "update"):
        pass
    assert stream.getvalue() == ""


def test_a_deploy_holds_the_waiting_indicator_while_each_stack_is_created(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    ws: Workspace = new_workspace(tmp_path_factory.mktemp("waiting"))
    recorder = Recorder()
    ws.deployer(recorder).deploy((), Options(skip_preflight=True))
    assert [layer for layer, _ in recorder.waits] == list(ORDER)
