"""Mutations of the real spec for the property tests, and the checks every outcome must pass.

A mutant is the bytes of ``spec/production.yaml`` after one to four mutations: some
on the parsed document (read as the loader reads it, YAML 1.2; written back with
PyYAML's C emitter, which keeps key order and turns shared nodes back into anchors
and aliases, a hundred times faster than a round-trip dump), then at most one on the
text, which is the file itself when nothing else changed. Each mutation is what a person editing the file can
do by accident: delete a key, add an unknown one, give a value the wrong type, push a
number out of its range, write a string the compiler must interpret, break the YAML,
duplicate a key, save half a file, or save it in the wrong encoding.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import assume
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tests.conftest import Snapshot, snapshot  # noqa: F401 - re-exported for the fuzz tests

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_SPEC = ROOT / "spec" / "production.yaml"
LITELLM_DIR = ROOT / "litellm"

NodePath = tuple[str | int, ...]
OLD_MTIME_NS = 1_500_000_000_000_000_000


@dataclass(frozen=True)
class Mutant:
    """A mutated spec: what was done (for the failure report) and the bytes to write."""

    steps: tuple[str, ...]
    content: bytes

    def __repr__(self) -> str:
        return f"Mutant({' + '.join(self.steps)})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How hypothesis prints a falsifying example: the steps, not 20 kB of bytes."""
        printer.text(repr(self))


# --------------------------------------------------------------------------- the document


@cache
def production_text() -> str:
    return PRODUCTION_SPEC.read_text(encoding="utf-8")


def _plain(node: Any, memo: dict[int, Any]) -> Any:
    """ruamel's document as plain dicts, lists and scalars; a node used twice (an alias) stays shared."""
    if id(node) in memo:
        return memo[id(node)]
    if isinstance(node, dict):
        mapping: dict[Any, Any] = {}
        memo[id(node)] = mapping
        for key, value in node.items():
            mapping[_plain(key, memo)] = _plain(value, memo)
        return mapping
    if isinstance(node, list):
        items: list[Any] = []
        memo[id(node)] = items
        items.extend(_plain(item, memo) for item in node)
        return items
    for kind in (bool, int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return node


@cache
def _production_document() -> Any:
    return _plain(YAML(typ="rt").load(production_text()), {})


def production_document() -> Any:
    """A private, mutable copy of the parsed production spec."""
    return copy.deepcopy(_production_document())


def dump(document: Any) -> str:
    return str(yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False, width=4096, allow_unicode=True))


def nodes(document: Any, path: NodePath = ()) -> Iterator[tuple[NodePath, Any]]:
    """Every node below the root with its path, parents before children, in file order."""
    children: Iterator[tuple[str | int, Any]]
    if isinstance(document, dict):
        children = iter(document.items())
    elif isinstance(document, list):
        children = iter(enumerate(document))
    else:
        return
    for key, child in children:
        yield (*path, key), child
        yield from nodes(child, (*path, key))


def at(document: Any, path: NodePath) -> Any:
    for part in path:
        document = document[part]
    return document


def _name(path: NodePath) -> str:
    return ".".join(str(p) for p in path) or "<root>"


# --------------------------------------------------------------------------- structure mutations

# Values of every YAML type, including ones that look like others ("1024", "true", "null").
# Values of every YAML type, by type, including strings that look like other types ("1024", "true").
STRINGS = st.one_of(
    st.sampled_from(["", " ", "1024", "true", "null", "~", "yes", "0x10", "1e3", "-", "*", "0.0.0.0/0", "::/0"]),
    st.text(max_size=30),
)
TYPED_SCALARS: dict[type, st.SearchStrategy[Any]] = {
    int: st.integers(min_value=-(10**20), max_value=10**20),
    float: st.floats(allow_nan=False, width=32),
    bool: st.booleans(),
    type(None): st.none(),
    str: STRINGS,
}
SCALARS = st.one_of(*TYPED_SCALARS.values())
TYPED_VALUES: dict[type, st.SearchStrategy[Any]] = {
    **TYPED_SCALARS,
    list: st.lists(SCALARS, max_size=3),
    dict: st.dictionaries(st.sampled_from(["a", "cidr", "from", "secret", "ports"]), SCALARS, max_size=2),
}
VALUES = st.one_of(*TYPED_VALUES.values())
# Strings the compiler interprets: references, hosts, paths, CIDRs, images, names.
INTERPRETED = st.one_of(
    st.sampled_from(
        [
            "${",
            "${}",
            "${database.host",
            "${database.nope}",
            "${service.coder.port}",
            "${service.nobody.host}",
            "${bucket.missing}",
            "${subnets.app}",
            "${subnets.nowhere}",
            "${security_group.rds}",
            "${account}.dkr.ecr.${region}.amazonaws.com/x:1",
            "$${project}",
            "${project}${project}",
            "10.0.0.0/8",
            "10.0.0.0/33",
            "300.0.0.0/16",
            "/",
            "//",
            "a" * 300,
            "UPPER",
            "has space",
            "ends-",
            "-starts",
            "x.y.z",
            "prod/coder/oidc",
            "database",
        ]
    ),
    st.text(max_size=40),
    st.from_regex(r"\A[a-z0-9${}./:*-]{0,30}\Z"),
)
OUT_OF_RANGE = st.one_of(
    st.sampled_from([-1, 0, 1, 7, 15, 16, 129, 4097, 65535, 65536, 100_000, 2**31, 2**63, 10**30, -(2**63)]),
    st.integers(),
    st.floats(allow_nan=False),
)
UNKNOWN_KEYS = st.one_of(
    st.sampled_from(["unexpected", "colour", "replica", "Image", "ports ", "cidrr", "x-y", "0", "extends"]),
    st.text(min_size=1, max_size=12),
)


def _mapping_keys(document: Any) -> list[NodePath]:
    return [path for path, _ in nodes(document) if isinstance(at(document, path[:-1]), dict)]


def _list_items(document: Any) -> list[NodePath]:
    return [path for path, _ in nodes(document) if isinstance(path[-1], int)]


def _mappings(document: Any) -> list[NodePath]:
    return [(), *(path for path, node in nodes(document) if isinstance(node, dict))]


def _scalars(document: Any, kind: type | tuple[type, ...]) -> list[NodePath]:
    return [
        path
        for path, node in nodes(document)
        if isinstance(node, kind) and not (kind is int and isinstance(node, bool))
    ]


def delete_key(draw: st.DrawFn, document: Any) -> str:
    path = draw(st.sampled_from(_mapping_keys(document)))
    del at(document, path[:-1])[path[-1]]
    return f"delete {_name(path)}"


def delete_item(draw: st.DrawFn, document: Any) -> str:
    items = _list_items(document)
    if not items:
        return delete_key(draw, document)
    path = draw(st.sampled_from(items))
    del at(document, path[:-1])[path[-1]]
    return f"delete {_name(path)}"


def add_unknown_key(draw: st.DrawFn, document: Any) -> str:
    path = draw(st.sampled_from(_mappings(document)))
    key = draw(UNKNOWN_KEYS)
    value = draw(VALUES)
    at(document, path)[key] = value
    return f"add {_name((*path, key))} = {value!r}"


def change_type(draw: st.DrawFn, document: Any) -> str:
    path, node = draw(st.sampled_from(list(nodes(document))))
    value = draw(st.one_of(*(strategy for kind, strategy in TYPED_VALUES.items() if type(node) is not kind)))
    at(document, path[:-1])[path[-1]] = value
    return f"retype {_name(path)} = {value!r}"


def out_of_range(draw: st.DrawFn, document: Any) -> str:
    numbers = _scalars(document, int)
    path = draw(st.sampled_from(numbers))
    original = at(document, path)
    value = draw(st.one_of(OUT_OF_RANGE, st.sampled_from([original - 1, original + 1, -original, original * 1000])))
    at(document, path[:-1])[path[-1]] = value
    return f"set {_name(path)} = {value!r}"


def replace_string(draw: st.DrawFn, document: Any) -> str:
    path = draw(st.sampled_from(_scalars(document, str)))
    value = draw(INTERPRETED)
    at(document, path[:-1])[path[-1]] = value
    return f"set {_name(path)} = {value!r}"


def copy_subtree(draw: st.DrawFn, document: Any) -> str:
    """Put one part of the spec where another part belongs (a valid shape in the wrong place)."""
    entries = list(nodes(document))
    source, value = draw(st.sampled_from(entries))
    target, _ = draw(st.sampled_from(entries))
    at(document, target[:-1])[target[-1]] = copy.deepcopy(value)
    return f"copy {_name(source)} to {_name(target)}"


STRUCTURE_MUTATIONS: tuple[Callable[[st.DrawFn, Any], str], ...] = (
    delete_key,
    delete_item,
    add_unknown_key,
    change_type,
    out_of_range,
    replace_string,
    copy_subtree,
)

# --------------------------------------------------------------------------- text mutations

SYNTAX_BREAKERS = [
    "{",
    "}",
    "[",
    "]",
    ": :",
    "\t",
    "'",
    '"',
    "- ",
    "&",
    "*undefined",
    "!!python/object/apply:os.system ['true']",
    "!Ref x",
    "%YAML 1.1",
    "@",
    "`",
    "key: [1, 2",
    "? ",
    "|",
    "---",
    "...",
    "<<: *nowhere",
    "\x00",
    "\x1b",
    "\ufeff",
]
KEY_LINE = re.compile(r"^(\s*)(?:- )?([A-Za-z0-9_./-]+):(?:\s|$)")


def break_syntax(draw: st.DrawFn, text: str) -> tuple[str, bytes]:
    offset = draw(st.integers(min_value=0, max_value=len(text)))
    breaker = draw(st.one_of(st.sampled_from(SYNTAX_BREAKERS), st.text(min_size=1, max_size=4)))
    return f"insert {breaker!r} at {offset}", (text[:offset] + breaker + text[offset:]).encode("utf-8")


def duplicate_key(draw: st.DrawFn, text: str) -> tuple[str, bytes]:
    lines = text.splitlines(keepends=True)
    keyed = [i for i, line in enumerate(lines) if KEY_LINE.match(line) and not line.lstrip().startswith("- ")]
    index = draw(st.sampled_from(keyed))
    line = lines[index]
    # The copy goes right below the original, at the same indentation: the same mapping.
    lines.insert(index + 1, line if line.endswith("\n") else line + "\n")
    return f"duplicate line {index + 1} {line.strip()!r}", "".join(lines).encode("utf-8")


def cut_short(draw: st.DrawFn, text: str) -> tuple[str, bytes]:
    data = text.encode("utf-8")
    offset = draw(st.integers(min_value=0, max_value=len(data) - 1))
    return f"cut at byte {offset}", data[:offset]


def wrong_encoding(draw: st.DrawFn, text: str) -> tuple[str, bytes]:
    data = text.encode("utf-8")
    offset = draw(st.integers(min_value=0, max_value=len(data)))
    junk = draw(st.sampled_from([b"\xff", b"\xfe\xff", b"\xc3", b"\xe9t\xe9", b"\x80\x80"]))
    if draw(st.booleans()):
        return "saved as UTF-16", text.encode("utf-16")
    return f"insert {junk!r} at byte {offset}", data[:offset] + junk + data[offset:]


TEXT_MUTATIONS: tuple[Callable[[st.DrawFn, str], tuple[str, bytes]], ...] = (
    break_syntax,
    duplicate_key,
    cut_short,
    wrong_encoding,
)


@st.composite
def mutants(draw: st.DrawFn) -> Mutant:
    """The production spec after 0-3 structure mutations and 0-1 text mutation (at least one in all)."""
    structure = draw(st.lists(st.sampled_from(STRUCTURE_MUTATIONS), max_size=3))
    text_mutation = draw(st.sampled_from((None, *TEXT_MUTATIONS)) if structure else st.sampled_from(TEXT_MUTATIONS))
    steps: list[str] = []
    text = production_text()
    if structure:
        document = production_document()
        for mutation in structure:
            steps.append(mutation(draw, document))
        text = dump(document)
    content = text.encode("utf-8")
    if text_mutation is not None:
        step, content = text_mutation(draw, text)
        steps.append(step)
    assume(reads_only_the_workspace(content))
    return Mutant(tuple(steps), content)


# --------------------------------------------------------------------------- keeping the run safe

# Keys whose value is a path the compiler reads: an asset directory (every file under it is
# hashed) and the spec a spec extends.
PATH_KEYS = {("assets", "path"), ("extends",)}


def reads_only_the_workspace(content: bytes) -> bool:
    """False when the mutant names a path outside the workspace (absolute, or climbing above it).

    Such mutants are left out: ``assets: {path: /}`` makes synth hash every file on the
    machine (/proc included), which can take the machine down rather than fail a test.
    tests/test_bad_inputs.py covers paths outside the spec's tree on their own.
    """
    try:
        document = yaml.load(content, Loader=yaml.CSafeLoader)
    except Exception:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a duplicated anchor warns here; the loader reports it
                document = YAML(typ="rt").load(content)
        except Exception:
            return True  # the loader stops at the same error before reading any path
    return all(_inside_workspace(value) for value in _path_values(document))


def _path_values(node: Any, seen: set[int] | None = None) -> Iterator[Any]:
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, dict):
        for key, value in node.items():
            if (key,) in PATH_KEYS:
                yield value
            if isinstance(value, dict) and any((key, inner) in PATH_KEYS for inner in value):
                yield from (value[inner] for inner in value if (key, inner) in PATH_KEYS)
            yield from _path_values(value, seen)
    elif isinstance(node, list):
        for item in node:
            yield from _path_values(item, seen)


def _inside_workspace(value: Any) -> bool:
    """The spec sits in <workspace>/spec/: a relative path may climb one level, no more."""
    if not isinstance(value, str):
        return True
    if value.startswith(("/", "~", "\\")) or "\x00" in value:
        return False
    return not os.path.normpath(os.path.join("spec", value)).startswith("..")


# --------------------------------------------------------------------------- directories


def make_workspace(root: Path) -> Path:
    """A copy of the spec's surroundings (``../litellm`` from the spec's directory); returns the spec path."""
    (root / "spec").mkdir(parents=True)
    shutil.copytree(LITELLM_DIR, root / "litellm")
    spec = root / "spec" / "mutant.yaml"
    spec.write_text(production_text(), encoding="utf-8")
    return spec


def age(directory: Path) -> None:
    """Give every file a distinctive old mtime, so a rewrite with the same bytes would still show."""
    for path in directory.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))


def staging_leftovers(out_dir: Path) -> list[Path]:
    """Staging directories the writer left beside ``out_dir`` (``.<name>.*.tmp``)."""
    return sorted(out_dir.parent.glob(f".{out_dir.name}.*.tmp"))


def restore(out_dir: Path, baseline: Path) -> None:
    shutil.rmtree(out_dir, ignore_errors=True)
    shutil.copytree(baseline, out_dir, copy_function=shutil.copy2)
