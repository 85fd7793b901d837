"""bench/measure.py: whole processes timed and their memory read, and the sandbox started as a user starts it."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest
from bench.measure import Figure, base_env, fixed, measure, recorded_actions, run_once, sandbox, sandbox_env

PYTHON = sys.executable


def test_a_whole_process_is_timed_and_its_peak_memory_read(tmp_path: Path) -> None:
    run, _, _ = run_once([PYTHON, "-c", "pass"], base_env(), tmp_path)

    assert run.wall > 0
    assert run.returncode == 0
    assert run.maxrss_kb > 0
    assert run.load >= 0


def test_a_run_keeps_the_output_and_exit_code(tmp_path: Path) -> None:
    code = "import sys; print('to stdout'); print('to stderr', file=sys.stderr); sys.exit(3)"

    run, _, _ = run_once([PYTHON, "-c", code], base_env(), tmp_path)

    assert (run.returncode, run.stdout, run.stderr) == (3, "to stdout\n", "to stderr\n")


def test_a_sampled_run_reads_the_memory_of_the_whole_tree(tmp_path: Path) -> None:
    # Alive long enough for several 20 ms samples; a child of its own, so the tree has two processes.
    code = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import time; time.sleep(0.3)'])"

    run, pss_kb, rss_kb = run_once([PYTHON, "-c", code], base_env(), tmp_path, sample_tree=True)

    assert run.returncode == 0
    assert 0 < pss_kb <= rss_kb


def test_a_figure_is_every_run_and_a_note_on_the_first_failure(tmp_path: Path) -> None:
    figure = Figure("fails", "a failing command", "python -c ...")
    code = "import sys; print('it broke', file=sys.stderr); sys.exit(1)"

    measure(figure, fixed([PYTHON, "-c", code], base_env()), tmp_path, runs=2)

    assert len(figure.runs) == 2
    assert all(wall > 0 for wall in figure.walls)
    assert figure.notes == ["exit 1 (expected 0): it broke"]


def test_the_environment_leaves_out_the_hosts_aws_set_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")

    env = sandbox_env("http://127.0.0.1:1", tmp_path)

    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"
    assert "AWS_PROFILE" not in env
    assert "PYTHONDONTWRITEBYTECODE" not in base_env()


def test_requests_are_counted_by_action_from_the_recording(tmp_path: Path) -> None:
    recording = tmp_path / "recording.jsonl"
    entries = [
        {"method": "POST", "url": "http://127.0.0.1/", "body": "Action=DescribeStacks&Version=2010-05-15"},
        {
            "method": "POST",
            "url": "http://127.0.0.1/",
            "body": base64.b64encode(b"Action=CreateChangeSet").decode(),
            "body_encoded": True,
        },
        {"method": "POST", "url": "http://127.0.0.1/", "body": "{}", "headers": {"X-Amz-Target": "Logs.PutLogEvents"}},
        {"method": "PUT", "url": "http://127.0.0.1/artifacts-bucket/key.zip", "body": ""},
        {"method": "POST", "url": "http://127.0.0.1/", "body": "Action=DescribeStacks"},
    ]
    recording.write_text("\n".join(json.dumps(e) for e in entries) + "\n\n", encoding="utf-8")

    counted = recorded_actions(recording)

    assert counted == {"DescribeStacks": 2, "CreateChangeSet": 1, "PutLogEvents": 1, "PUT artifacts-bucket": 1}
    assert recorded_actions(tmp_path / "never-written.jsonl") == {}


def test_the_sandbox_answers_on_loopback_and_records_what_it_is_asked(tmp_path: Path) -> None:
    recording = tmp_path / "recording.jsonl"
    ask = "import boto3; print(boto3.client('cloudformation', region_name='us-east-1').list_stacks()['StackSummaries'])"

    with sandbox(tmp_path, recording) as url:
        run, _, _ = run_once([PYTHON, "-c", ask], sandbox_env(url, tmp_path), tmp_path)

    assert url.startswith("http://127.0.0.1:")
    assert (run.returncode, run.stdout) == (0, "[]\n"), run.stderr
    assert recorded_actions(recording) == {"ListStacks": 1}
