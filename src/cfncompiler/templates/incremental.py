"""Skip a synth whose inputs have not changed since the last successful one.

A successful synth records what it read (the spec file and every file it
extends, every asset file and the listing of each asset directory), the
compiler itself (a digest of cfncompiler's source and the versions of the
libraries that shape the output) and what it wrote (a digest per template).
The next synth with the same spec and output directory reuses that result
only when every one of those is still byte-for-byte the same and the gate
ran then if it is asked for now; anything else compiles (and lints) again.
This is how make and ninja decide a target is up to date, with content
digests in place of timestamps.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from cfncompiler.gate.lint import cache_dir

# Libraries whose version can change the templates or the gate's verdict.
SHAPING_PACKAGES = ("troposphere", "awacs", "cfn-flip", "PyYAML", "pydantic", "ruamel.yaml", "cfn-lint")
STATE_VERSION = 1


@dataclass(frozen=True)
class Summary:
    layer: str
    file: str
    resources: int
    size: int


@dataclass(frozen=True)
class Record:
    linted: bool
    tool: str
    inputs: dict[str, str | None]
    directories: dict[str, str]
    outputs: dict[str, str | None]
    summaries: list[Summary]
    warnings: list[str]


def reusable(spec_path: Path, out_dir: Path, lint: bool) -> Record | None:
    """The last result for this spec and output directory, if nothing it depends on has changed."""
    try:
        data = json.loads(_state_file(spec_path, out_dir).read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION:
            return None
        record = Record(
            linted=data["linted"],
            tool=data["tool"],
            inputs=data["inputs"],
            directories=data["directories"],
            outputs=data["outputs"],
            summaries=[Summary(**s) for s in data["summaries"]],
            warnings=list(data["warnings"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if lint and not record.linted:
        return None
    fresh = (
        record.tool == tool_digest()
        and all(_file_digest(Path(p)) == d for p, d in record.inputs.items())
        and all(_listing_digest(Path(p)) == d for p, d in record.directories.items())
        and all(_file_digest(out_dir / name) == d for name, d in record.outputs.items())
    )
    return record if fresh else None


def remember(
    spec_path: Path,
    out_dir: Path,
    *,
    linted: bool,
    inputs: list[Path],
    directories: list[Path],
    summaries: list[Summary],
    warnings: list[str],
) -> None:
    record = Record(
        linted=linted,
        tool=tool_digest(),
        inputs={str(p): _file_digest(p) for p in inputs},
        directories={str(d): _listing_digest(d) for d in directories},
        outputs={s.file: _file_digest(out_dir / s.file) for s in summaries},
        summaries=summaries,
        warnings=warnings,
    )
    state = _state_file(spec_path, out_dir)
    # Only a speed-up: failing to record must never fail the synth.
    try:
        state.parent.mkdir(parents=True, exist_ok=True)
        temp = state.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(json.dumps({"version": STATE_VERSION, **asdict(record)}), encoding="utf-8")
        os.replace(temp, state)
    except OSError:
        pass


def tool_digest() -> str:
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]  # the whole cfncompiler package, not just this stage
    for source in sorted(package.rglob("*.py")):
        h.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    for name in SHAPING_PACKAGES:
        try:
            h.update(f"{name}=={version(name)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{name} missing\0".encode())
    return h.hexdigest()


def _state_file(spec_path: Path, out_dir: Path) -> Path:
    key = hashlib.sha256(f"{spec_path.resolve()}\0{out_dir.resolve()}".encode()).hexdigest()[:32]
    return cache_dir().parent / "synth" / f"{key}.json"


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _listing_digest(directory: Path) -> str:
    """Names of every file under ``directory``: an added or removed asset file changes it."""
    names = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())
    return hashlib.sha256("\0".join(names).encode()).hexdigest()
