"""The lock files: every package of every virtualenv ``make`` builds, at one version, with its sha256 hashes.

Each lock is resolved by uv (``uv pip compile --generate-hashes``) from its source for the machine CI
runs on (CPython 3.11, x86_64 Linux) and records a digest of what it was resolved from, so a lock
that no longer matches its source is found without a resolver or a network:

    python3 tools/locks.py write --uv .venv-tools/bin/uv [-- UV_OPTIONS]   # make lock [LOCK_FLAGS=...]
    python3 tools/locks.py check [LOCK ...]                                 # exit 1 naming each stale lock

uv keeps every version the existing lock pins unless the source demands another, or it is told to move
one (``make lock LOCK_FLAGS="--upgrade-package troposphere"``, ``LOCK_FLAGS=--upgrade``).

Standard library only: make runs it with the system python3 before any virtualenv exists.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The one machine the locks are resolved for: CI's (and this repository's development machines').
PYTHON_VERSION = "3.11"
PYTHON_PLATFORM = "x86_64-unknown-linux-gnu"
PLATFORM_WORDS = "CPython 3.11 on x86_64 Linux"
# Locked besides each source: pip itself, which installs the lock (make never fetches an unhashed one).
INSTALLER = {"pip": "the installer make runs"}
BUILD_BACKEND = "[build-system] requires: make builds cfncompiler without build isolation"
DIGEST_LINE = re.compile(r"^# inputs-sha256: (?P<digest>[0-9a-f]{64})$", re.MULTILINE)
PACKAGE_LINE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==")


@dataclass(frozen=True)
class Lock:
    path: str  # the lock file, relative to the repository
    venv: str  # the virtualenv make builds from it
    source: str  # pyproject.toml or a requirements file
    extras: tuple[str, ...] = ()

    def also(self, root: Path) -> dict[str, str]:
        """What is locked besides the source, each with why: the installer and, for the project, its build backend.

        make installs the project itself with ``--no-build-isolation``, so the build backend comes
        from this lock too instead of an unhashed download into an isolated build environment.
        """
        if self.source != "pyproject.toml":
            return INSTALLER
        return INSTALLER | dict.fromkeys(_pyproject(root)["build-system"]["requires"], BUILD_BACKEND)

    def inputs(self, root: Path) -> dict[str, Any]:
        """Everything the resolution depends on, and nothing else (a ruff setting is not an input)."""
        if self.source == "pyproject.toml":
            project = _pyproject(root)["project"]
            requirements: Any = {
                "requires-python": project.get("requires-python"),
                "dependencies": project.get("dependencies", []),
                # All extras: one may name another (dev names cfncompiler[sandbox]).
                "optional-dependencies": project.get("optional-dependencies", {}),
            }
        else:
            requirements = requirement_lines((root / self.source).read_text(encoding="utf-8"))
        return {
            "source": self.source,
            "requirements": requirements,
            "extras": list(self.extras),
            "also": list(self.also(root)),
            "python": PYTHON_VERSION,
            "platform": PYTHON_PLATFORM,
        }

    def digest(self, root: Path) -> str:
        canonical = json.dumps(self.inputs(root), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def header(self, root: Path, uv_version: str) -> str:
        what = self.source + (f" (extra {', '.join(self.extras)})" if self.extras else "")
        return (
            f"# Lock for {self.venv}: every package make installs there, at one version, with its sha256 hashes\n"
            f"# (pip install --require-hashes). Written by `make lock`; do not edit by hand.\n"
            f"# Resolved by {uv_version} from {what} and {', '.join(self.also(root))}, for {PLATFORM_WORDS}.\n"
            f"# inputs-sha256: {self.digest(root)}\n"
        )


LOCKS = (
    Lock("locks/dev.txt", ".venv", "pyproject.toml", extras=("dev",)),
    Lock("locks/security.txt", ".venv-security", "requirements-security.txt"),
    Lock("locks/tools.txt", ".venv-tools", "requirements-tools.txt"),
)


def _pyproject(root: Path) -> dict[str, Any]:
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))


def requirement_lines(text: str) -> list[str]:
    """A requirements file's requirements, without comments, blank lines or surrounding space."""
    lines = (re.sub(r"(^|\s)#.*$", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def by_path(paths: Sequence[str]) -> list[Lock]:
    known = {lock.path: lock for lock in LOCKS}
    unknown = [p for p in paths if p not in known]
    if unknown:
        raise SystemExit(f"not a lock: {', '.join(unknown)} (the locks: {', '.join(known)})")
    return [known[p] for p in paths] if paths else list(LOCKS)


def stale(root: Path = ROOT, locks: Sequence[Lock] = LOCKS) -> list[str]:
    """One sentence per lock that was not resolved from its source as it is now."""
    problems = []
    for lock in locks:
        path = root / lock.path
        if not path.exists():
            problems.append(f"{lock.path} is missing: run `make lock`")
            continue
        found = DIGEST_LINE.search(path.read_text(encoding="utf-8"))
        if found is None or found["digest"] != lock.digest(root):
            # Only .venv's libraries shape the templates; the other locks are committed on their own.
            then = ", then `make synth`, review the template diff and commit both" if lock.venv == ".venv" else ""
            problems.append(f"{lock.path} is stale: {lock.source} changed since it was resolved; run `make lock`{then}")
    return problems


def annotate(text: str, also: dict[str, str]) -> str:
    """Say why a package locked besides the source is there (uv has no source line to name for it)."""
    why = {re.split(r"[<>=!~ ;\[]", req, maxsplit=1)[0].lower(): f"{req}, {reason}" for req, reason in also.items()}
    out: list[str] = []
    block: str | None = None
    has_via = False

    def close() -> None:
        if block in why and not has_via:
            out.append(f"    # via make lock: {why[block]}")

    for line in text.splitlines():
        match = PACKAGE_LINE.match(line)
        if match:
            close()
            block, has_via = match["name"].lower().replace("_", "-"), False
        elif line.lstrip().startswith("# via"):
            has_via = True
        out.append(line)
    close()
    return "\n".join(out) + "\n"


def write(uv: str, uv_args: Sequence[str], root: Path = ROOT, locks: Sequence[Lock] = LOCKS) -> None:
    """Resolve each lock again; a lock whose text comes out the same is left untouched (no venv rebuild)."""
    answer = subprocess.run([uv, "--version"], capture_output=True, text=True, check=True).stdout
    uv_version = " ".join(answer.split()[:2])  # "uv 0.13.9", without the build's platform
    for lock in locks:
        path = root / lock.path
        path.parent.mkdir(parents=True, exist_ok=True)
        also = lock.also(root)
        with tempfile.TemporaryDirectory() as scratch:
            # uv starts from a copy of the existing lock: it keeps those versions wherever the source allows.
            output = Path(scratch) / "lock.txt"
            if path.exists():
                shutil.copyfile(path, output)
            command = [uv, "pip", "compile", lock.source, "-", *(f"--extra={e}" for e in lock.extras)]
            command += ["--generate-hashes", "--python-version", PYTHON_VERSION, "--python-platform", PYTHON_PLATFORM]
            command += ["--no-header", "--quiet", "--output-file", str(output), *uv_args]
            subprocess.run(command, input="\n".join(also) + "\n", text=True, check=True, cwd=root)
            body = annotate(output.read_text(encoding="utf-8"), also)
        text = lock.header(root, uv_version) + body
        changed = not path.exists() or path.read_text(encoding="utf-8") != text
        if changed:
            path.write_text(text, encoding="utf-8")
        count = sum(1 for line in body.splitlines() if PACKAGE_LINE.match(line))
        print(f"{lock.path}: {count} packages, {'written' if changed else 'unchanged'}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/locks.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    commands = parser.add_subparsers(dest="command", required=True)
    writing = commands.add_parser("write", help="resolve every lock again (make lock)")
    writing.add_argument("--uv", required=True, help="the uv executable")
    writing.add_argument("uv_args", nargs="*", help="passed to uv pip compile, after --")
    checking = commands.add_parser("check", help="exit 1 naming each lock that is stale against its source")
    checking.add_argument("locks", nargs="*", help="lock paths (default: all)")
    args = parser.parse_args(argv)
    if args.command == "write":
        write(args.uv, args.uv_args, args.root)
        return 0
    problems = stale(args.root, by_path(args.locks))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
