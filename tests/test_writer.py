"""The writer: canonical YAML for a template, and atomic, change-only writes."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cfn_flip
import pytest
from troposphere import Template

from cfncompiler.layers import Inputs, builder
from cfncompiler.model import Spec
from cfncompiler.writer import render, write_all
from tests.conftest import OLD_MTIME_NS, PREVIOUS_FILES, snapshot

NEW_FILES = {"network.yaml": "new network\n", "data.yaml": "new data: é\n"}


def _template(layer: str, spec: Spec) -> Template:
    template: Template = builder(layer)(spec, Inputs())
    return template


def _temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".") or p.name.endswith(".tmp"))


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


# --------------------------------------------------------------------------- render


def test_render_puts_sections_in_reading_order(minimal_spec: Spec) -> None:
    template = _template("data", minimal_spec)
    assert list(template.to_dict()).index("Outputs") < list(template.to_dict()).index("Resources")
    top_level_keys = re.findall(r"^([A-Za-z]+):", render(template), flags=re.MULTILINE)
    assert top_level_keys == ["Description", "Parameters", "Resources", "Outputs"]


def test_render_loses_nothing_of_the_template(minimal_spec: Spec) -> None:
    for layer in ("network", "data"):
        template = _template(layer, minimal_spec)
        assert json.loads(cfn_flip.to_json(render(template))) == template.to_dict(), layer


def test_render_is_byte_for_byte_stable_across_builds(minimal_spec: Spec) -> None:
    for layer in ("network", "data"):
        assert render(_template(layer, minimal_spec)) == render(_template(layer, minimal_spec)), layer


# --------------------------------------------------------------------------- write_all


def test_write_all_creates_the_directory_and_writes_every_file(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "templates_out"
    assert write_all(out, NEW_FILES) == ["network.yaml", "data.yaml"]
    assert {name: (out / name).read_bytes() for name in NEW_FILES} == {
        name: text.encode("utf-8") for name, text in NEW_FILES.items()
    }
    assert _temp_files(out) == []


def test_files_are_ordinary_readable_files_not_private_temp_files(tmp_path: Path, umask_022: None) -> None:
    write_all(tmp_path, NEW_FILES)
    for name in NEW_FILES:
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    write_all(tmp_path, NEW_FILES)
    for name in NEW_FILES:
        os.utime(tmp_path / name, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    before = snapshot(tmp_path)
    assert write_all(tmp_path, NEW_FILES) == []
    assert snapshot(tmp_path) == before


def test_only_changed_files_are_replaced_and_others_keep_their_mtime(populated_out: Path) -> None:
    files = {"network.yaml": PREVIOUS_FILES["network.yaml"], "data.yaml": "new data\n"}
    assert write_all(populated_out, files) == ["data.yaml"]
    after = snapshot(populated_out)
    assert after["network.yaml"] == (PREVIOUS_FILES["network.yaml"].encode(), OLD_MTIME_NS)
    assert after["data.yaml"][0] == b"new data\n"
    assert after["README"] == (b"keep\n", OLD_MTIME_NS), "files the writer does not own are left alone"


def _failing_after(calls: int, real: Callable[..., Any]) -> Callable[..., Any]:
    """``real``, except that the call after the first ``calls`` raises as a full disk would."""
    made = 0

    def fake(*args: Any, **kwargs: Any) -> Any:
        nonlocal made
        made += 1
        if made > calls:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    return fake


@pytest.mark.parametrize(
    ("function", "succeed"),
    [
        pytest.param("replace", 1, id="rename-of-the-second-file-fails"),
        pytest.param("replace", 0, id="rename-of-the-first-file-fails"),
        pytest.param("fsync", 1, id="flush-of-the-second-file-fails"),
        pytest.param("fsync", 0, id="flush-of-the-first-file-fails"),
    ],
)
def test_a_failed_write_leaves_every_template_whole_and_no_temp_files(
    populated_out: Path, monkeypatch: pytest.MonkeyPatch, function: str, succeed: int
) -> None:
    monkeypatch.setattr(os, function, _failing_after(succeed, getattr(os, function)))
    with pytest.raises(OSError, match="No space left"):
        write_all(populated_out, NEW_FILES)
    monkeypatch.undo()
    for name in NEW_FILES:
        content = (populated_out / name).read_text(encoding="utf-8")
        assert content in {PREVIOUS_FILES[name], NEW_FILES[name]}, f"{name} is neither old nor new: {content!r}"
    if function == "fsync":
        # Nothing was renamed yet: every template is exactly as it was.
        assert {name: (populated_out / name).read_text(encoding="utf-8") for name in NEW_FILES} == {
            name: PREVIOUS_FILES[name] for name in NEW_FILES
        }
    assert _temp_files(populated_out) == []
    assert sorted(p.name for p in populated_out.iterdir()) == sorted(PREVIOUS_FILES)
