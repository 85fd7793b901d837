"""The writer: canonical YAML for a template, and atomic, change-only writes."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cfn_flip
import pytest
from troposphere import Template

from cfncompiler.layers import Inputs, builder
from cfncompiler.spec.model import Spec
from cfncompiler.templates import write as writer
from cfncompiler.templates.render import render
from cfncompiler.templates.write import write_all
from tests.conftest import OLD_MTIME_NS, PREVIOUS_FILES, snapshot

NEW_FILES = {"network.yaml": "new network\n", "data.yaml": "new data: é\n"}


def _template(layer: str, spec: Spec) -> Template:
    template: Template = builder(layer)(spec, Inputs())
    return template


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
    assert _leftovers(out) == []


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


def _leftovers(out: Path) -> list[str]:
    """Temp files or directories the writer left in the out dir or beside it."""
    return sorted(str(p) for d in (out, out.parent) if d.is_dir() for p in d.iterdir() if p.name.startswith("."))


def _count_calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def _fail_call(monkeypatch: pytest.MonkeyPatch, module: object, name: str, index: int) -> None:
    """Make call number ``index`` (0-based) of ``module.name`` fail as a full disk would."""
    real = getattr(module, name)
    made = 0

    def failing(*args: Any, **kwargs: Any) -> Any:
        nonlocal made
        made += 1
        if made == index + 1:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)


def _previous_out(root: Path) -> Path:
    out = root / "templates_out"
    out.mkdir(parents=True)
    for name, text in PREVIOUS_FILES.items():
        (out / name).write_text(text, encoding="utf-8")
        os.utime(out / name, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return out


@pytest.mark.parametrize(
    ("function", "previous"),
    [
        pytest.param("fsync", True, id="flush-fails-over-previous-templates"),
        pytest.param("fsync", False, id="flush-fails-into-a-new-directory"),
        pytest.param("rename", False, id="move-into-place-fails-for-a-new-directory"),
    ],
)
def test_a_failure_at_any_step_leaves_the_out_dir_exactly_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, function: str, previous: bool
) -> None:
    def fresh(root: Path) -> Path:
        return _previous_out(root) if previous else root / "templates_out"

    with monkeypatch.context() as patch:
        calls = _count_calls(patch, os, function)
        write_all(fresh(tmp_path / "dry-run"), NEW_FILES)
    assert calls, f"the writer never calls os.{function}: this case tests nothing"
    for index in range(len(calls)):
        out = fresh(tmp_path / f"fail-{index}")
        before = snapshot(out)
        with monkeypatch.context() as patch:
            _fail_call(patch, os, function, index)
            with pytest.raises(OSError, match="No space left"):
                write_all(out, NEW_FILES)
        assert snapshot(out) == before, f"os.{function} call {index} failed and the templates changed"
        assert out.exists() == previous
        assert _leftovers(out) == [], f"os.{function} call {index} failed and left temp files"


def test_a_failed_swap_leaves_the_previous_templates_and_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _previous_out(tmp_path)
    before = snapshot(out)

    def refuse(*args: object) -> bool:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(writer, "_exchange", refuse)
    with pytest.raises(OSError):
        write_all(out, NEW_FILES)
    assert snapshot(out) == before
    assert _leftovers(out) == []


def test_without_a_directory_swap_each_file_is_still_replaced_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where the kernel or filesystem cannot exchange directories, files are replaced one by one.
    out = _previous_out(tmp_path)
    monkeypatch.setattr(writer, "_exchange", lambda *args: False)
    _fail_call(monkeypatch, os, "replace", 1)
    with pytest.raises(OSError, match="No space left"):
        write_all(out, NEW_FILES)
    for name in NEW_FILES:
        assert (out / name).read_text(encoding="utf-8") in {PREVIOUS_FILES[name], NEW_FILES[name]}, name
    assert _leftovers(out) == []


def test_where_hard_links_are_impossible_unchanged_files_keep_bytes_and_mtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _previous_out(tmp_path)
    before = snapshot(out)

    def no_links(*args: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    assert write_all(out, {"network.yaml": PREVIOUS_FILES["network.yaml"], "data.yaml": "new\n"}) == ["data.yaml"]
    after = snapshot(out)
    assert after["network.yaml"] == before["network.yaml"]
    assert after["README"] == before["README"]
    assert after["data.yaml"][0] == b"new\n"


def test_a_successful_write_replaces_every_changed_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    out = _previous_out(tmp_path)
    assert write_all(out, NEW_FILES) == list(NEW_FILES)
    assert {name: (out / name).read_text(encoding="utf-8") for name in NEW_FILES} == NEW_FILES
    assert (out / "README").read_text(encoding="utf-8") == PREVIOUS_FILES["README"]
    assert _leftovers(out) == []
