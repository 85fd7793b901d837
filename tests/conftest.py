"""Shared fixtures and helpers.

Expensive things (loading and compiling the production spec, loading cfn-lint's
rules) happen once per session; tests must treat what these fixtures return as
read-only. Bad specs are small text edits of ``fixtures/minimal.yaml``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from troposphere import Template, ec2

from cfncompiler.gate.lint import CACHE_ENV, Gate, load_rules
from cfncompiler.layers import Inputs, builder
from cfncompiler.spec.load import load_spec
from cfncompiler.spec.model import Spec
from cfncompiler.synth import synth
from cfncompiler.templates.stateful import STATEFUL_TYPES

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINIMAL_SPEC = FIXTURES / "minimal.yaml"
PRODUCTION_SPEC = ROOT / "spec" / "production.yaml"
COMMITTED_OUT = ROOT / "templates_out"

Edit = tuple[str, str]
TemplateDict = dict[str, Any]
Snapshot = dict[str, tuple[bytes, int]]

PREVIOUS_FILES = {"network.yaml": "previous network\n", "data.yaml": "previous data\n", "README": "keep\n"}
OLD_MTIME_NS = 1_600_000_000_000_000_000


# --------------------------------------------------------------------------- spec text


def minimal_text() -> str:
    return MINIMAL_SPEC.read_text(encoding="utf-8")


def edit(text: str, *edits: Edit) -> str:
    """Apply (old, new) replacements; each ``old`` must occur exactly once, so an edit never silently misses."""
    for old, new in edits:
        count = text.count(old)
        assert count == 1, f"edit target occurs {count} times in the text, expected once: {old!r}"
        text = text.replace(old, new)
    return text


def position(text: str, marker: str, token: str | None = None, *, after: str | None = None) -> tuple[int, int]:
    """1-based (line, column) of ``token`` on the line of ``text`` that holds ``marker``.

    ``token`` defaults to ``marker``; a ``|`` in it marks the column meant ("az: |2" is the 2).
    With ``after``, the first line holding ``marker`` below the line holding ``after`` is used;
    without it ``marker`` must be on exactly one line, so a growing fixture cannot silently
    move an expectation to another line.
    """
    lines = text.splitlines()
    start = 0
    if after is not None:
        start = next(n for n, line in enumerate(lines) if after in line) + 1
    found = [n for n in range(start, len(lines)) if marker in lines[n]]
    if after is None:
        assert len(found) == 1, f"{marker!r} is on {len(found)} lines of the spec, expected one"
    assert found, f"{marker!r} is not in the spec"
    line = lines[found[0]]
    token = marker if token is None else token
    offset = token.index("|") if "|" in token else 0
    token = token.replace("|", "")
    assert token in line, f"{token!r} is not on line {found[0] + 1}: {line!r}"
    return found[0] + 1, line.index(token) + offset + 1


class Where(NamedTuple):
    """Where a problem must point: see :func:`position`."""

    marker: str
    token: str | None = None
    after: str | None = None

    def of(self, path: Path) -> tuple[int, int]:
        return position(path.read_text(encoding="utf-8"), self.marker, self.token, after=self.after)


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[[str], Path]:
    """Write spec text to a fresh file under tmp_path and return its path."""
    counter = iter(range(1_000_000))

    def write(text: str) -> Path:
        path = tmp_path / f"spec-{next(counter)}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def minimal_edited(write_spec: Callable[[str], Path]) -> Callable[..., Path]:
    """The minimal fixture with some edits applied, written to tmp_path."""

    def make(*edits: Edit) -> Path:
        return write_spec(edit(minimal_text(), *edits))

    return make


# --------------------------------------------------------------------------- compiled specs

# The layers this suite covers; later layers have suites of their own.
CORE_LAYERS = ("network", "data")


def build_layer(layer: str, spec: Spec) -> TemplateDict:
    """One layer's template as a dict; network and data need nothing beyond the spec."""
    template: TemplateDict = builder(layer)(spec, Inputs()).to_dict()
    return template


# The longest tests first, and the modules one worker runs whole (their xdist_group): two workers
# share the run evenly only when none of these comes last.
SLOW_FIRST = (
    "tests/test_fuzz.py",
    "tests/templates/test_write_kill.py",
    "tests/deploy/test_adopt.py",
    "tests/sandbox/test_estate.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(SLOW_FIRST))


@pytest.fixture(scope="session")
def production_spec() -> Spec:
    return load_spec(PRODUCTION_SPEC)


@pytest.fixture(scope="session")
def production_templates(production_spec: Spec) -> dict[str, TemplateDict]:
    return {layer: build_layer(layer, production_spec) for layer in CORE_LAYERS}


@pytest.fixture(scope="session")
def network_template(production_templates: dict[str, TemplateDict]) -> TemplateDict:
    return production_templates["network"]


@pytest.fixture(scope="session")
def data_template(production_templates: dict[str, TemplateDict]) -> TemplateDict:
    return production_templates["data"]


@pytest.fixture(scope="session")
def production_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """spec/production.yaml compiled by the real pipeline (lint skipped) into a fresh directory, once."""
    out = tmp_path_factory.mktemp("production") / "templates_out"
    synth(PRODUCTION_SPEC, out, lint=False)
    return out


@pytest.fixture(scope="session")
def minimal_spec() -> Spec:
    return load_spec(MINIMAL_SPEC)


@pytest.fixture(scope="session")
def minimal_templates(minimal_spec: Spec) -> dict[str, TemplateDict]:
    return {layer: build_layer(layer, minimal_spec) for layer in CORE_LAYERS}


@pytest.fixture(scope="session", autouse=True)
def lint_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The lint gate caches results in a session directory: never in the user's ~/.cache, and a
    template several tests lint (the production ones) is linted once per session, whichever test
    worker lints it first (the gate writes its cache entries atomically).

    cfn-lint's rules are loaded here once per test process: the gate's forked lint workers inherit
    them instead of each loading them again (1.3 s a worker) on every multi-template lint."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    cache = shared / "lint-cache"
    cache.mkdir(exist_ok=True)
    load_rules()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(cache))
        yield cache


@pytest.fixture(scope="session")
def gate(lint_cache: Path) -> Gate:
    return Gate(cache=lint_cache)


BROKEN_CIDR = "10.0.0.0/99"


@pytest.fixture
def broken_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The network builder adds a VPC whose CIDR cfn-lint rejects (E3002); troposphere lets it through."""
    from cfncompiler.layers import network

    real = network.build

    def build(*args: Any) -> Template:
        template: Template = real(*args)
        template.add_resource(ec2.VPC("BrokenVpc", CidrBlock=BROKEN_CIDR))
        return template

    monkeypatch.setattr(network, "build", build)


# --------------------------------------------------------------------------- template queries


def resources_of_type(template: TemplateDict, resource_type: str) -> dict[str, TemplateDict]:
    return {name: body for name, body in template["Resources"].items() if body["Type"] == resource_type}


def one_resource_of_type(template: TemplateDict, resource_type: str) -> TemplateDict:
    found = resources_of_type(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))


def properties(template: TemplateDict, logical_id: str) -> TemplateDict:
    assert logical_id in template["Resources"], f"no resource {logical_id}; have {sorted(template['Resources'])}"
    props: TemplateDict = template["Resources"][logical_id].get("Properties", {})
    return props


def walk(node: Any, trail: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any, Any]]:
    """Every (path, key, value) pair of every mapping inside ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*trail, key), key, value
            yield from walk(value, (*trail, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from walk(item, (*trail, index))


def careless_stateful_resources(template: TemplateDict) -> dict[str, tuple[str | None, str | None]]:
    """Resources of a type in stateful.STATEFUL_TYPES (the project's one list of types whose loss is
    data loss) that would lose their data on stack deletion or replacement: name -> (policies)."""
    stateful = {name: body for name, body in template["Resources"].items() if body["Type"] in STATEFUL_TYPES}
    assert stateful, "the template must hold stateful resources for this check to mean anything"
    keeps = {"Retain", "Snapshot"}
    return {
        name: (body.get("DeletionPolicy"), body.get("UpdateReplacePolicy"))
        for name, body in stateful.items()
        if body.get("DeletionPolicy") not in keeps or body.get("UpdateReplacePolicy") not in keeps
    }


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def get_att(name: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, attribute]}


# --------------------------------------------------------------------------- directories


def snapshot(directory: Path) -> Snapshot:
    """Every file under ``directory`` with its bytes and mtime: equal snapshots mean nothing was touched."""
    if not directory.exists():
        return {}
    return {
        str(path.relative_to(directory)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def populated_out(tmp_path: Path) -> Path:
    """An out dir holding previous templates (plus an unrelated file), with old mtimes."""
    out = tmp_path / "out"
    out.mkdir()
    for name, text in PREVIOUS_FILES.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        # An old, distinctive mtime: a rewrite with identical bytes would still show.
        os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return out
