"""The locks (locks/*.txt, tools/locks.py): every virtualenv make builds is exactly its lock, hashes checked.

A lock is fresh against its source, and goes stale when a dependency in a copy of the source is edited;
every requirement of a source is met by its lock, every locked package carries sha256 hashes; make
installs each lock with hash checking and rebuilds a virtualenv when its lock changes; and both installers
make uses (pip for the tools, uv for the rest) refuse a wheel whose hash the lock does not list, shown
with a real wheel of a locked package.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import edit
from tests.env_support import ROOT
from tools.locks import LOCKS, PYTHON_VERSION, Lock, requirement_lines, stale

LOCK_SCRIPT = ROOT / "tools" / "locks.py"
# One locked package: `name==version \`, then its hash lines.
BLOCK = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+) \\\n(?P<hashes>(?:    --hash=.*\n)+)", re.M
)
HASH = re.compile(r"--hash=sha256:(?P<digest>[0-9a-f]{64})")
# What every source file of a lock is, copied into a scratch repository to be edited there.
SOURCES = ("pyproject.toml", "requirements-security.txt", "requirements-tools.txt")
DEV, SECURITY, TOOLS = (lock.path for lock in LOCKS)
# A small pure-Python wheel of a locked package, for the hash-checking tests.
TINY = "six"


def pins(lock: Lock) -> dict[str, tuple[Version, list[str]]]:
    """name -> (version, sha256 digests) for every package the lock lists."""
    text = (ROOT / lock.path).read_text(encoding="utf-8")
    return {
        canonicalize_name(m["name"]): (Version(m["version"]), HASH.findall(m["hashes"])) for m in BLOCK.finditer(text)
    }


def lock_for(path: str) -> Lock:
    [lock] = [lock for lock in LOCKS if lock.path == path]
    return lock


def scratch_repository(tmp_path: Path) -> Path:
    for name in SOURCES:
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "locks", tmp_path / "locks")
    return tmp_path


def edit_file(path: Path, old: str, new: str) -> None:
    path.write_text(edit(path.read_text(encoding="utf-8"), (old, new)), encoding="utf-8")


# --------------------------------------------------------------------------- fresh, and stale when a source changes


def test_every_lock_is_fresh_against_its_source() -> None:
    assert stale(ROOT) == []


@pytest.mark.parametrize(
    ("source", "old", "new", "stale_lock"),
    [
        pytest.param("pyproject.toml", '"rich>=13,<16"', '"rich>=13,<15"', DEV, id="a-dependency"),
        pytest.param("pyproject.toml", '"werkzeug>=3,<4"', '"werkzeug>=3.1,<4"', DEV, id="the-sandbox-extra"),
        pytest.param("pyproject.toml", '"ruff>=0.6",', '"ruff>=0.6",\n    "tox",', DEV, id="a-new-dev-tool"),
        pytest.param("pyproject.toml", '["setuptools>=68"]', '["setuptools>=70"]', DEV, id="the-build-backend"),
        pytest.param("requirements-security.txt", "checkov==3.3.30", "checkov==3.3.31", SECURITY, id="checkov"),
        pytest.param("requirements-tools.txt", "zizmor==1.32.0", "zizmor==1.33.0", TOOLS, id="zizmor"),
    ],
)
def test_a_lock_goes_stale_when_a_copy_of_its_source_is_edited(
    tmp_path: Path, source: str, old: str, new: str, stale_lock: str
) -> None:
    root = scratch_repository(tmp_path)
    assert stale(root) == []
    edit_file(root / source, old, new)
    [problem] = stale(root)
    assert problem.startswith(f"{stale_lock} is stale: {source} changed")
    assert "run `make lock`" in problem
    # make runs the same check as a command before it builds a virtualenv: it must stop there.
    done = subprocess.run(
        [sys.executable, str(LOCK_SCRIPT), "--root", str(root), "check", stale_lock],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert problem in done.stderr


@pytest.mark.parametrize(
    ("source", "old", "new"),
    [
        pytest.param("pyproject.toml", "line-length = 120", "line-length = 100", id="a-ruff-setting"),
        pytest.param("pyproject.toml", 'version = "0.1.0"', 'version = "0.2.0"', id="our-own-version"),
        pytest.param("requirements-security.txt", "checkov==3.3.30", "checkov==3.3.30  # the gate", id="a-comment"),
    ],
)
def test_an_edit_that_cannot_change_the_resolution_keeps_the_lock_fresh(
    tmp_path: Path, source: str, old: str, new: str
) -> None:
    root = scratch_repository(tmp_path)
    edit_file(root / source, old, new)
    assert stale(root) == []


def test_a_missing_lock_is_reported() -> None:
    assert stale(Path("/nonexistent"), [lock_for(TOOLS)]) == ["locks/tools.txt is missing: run `make lock`"]


# --------------------------------------------------------------------------- what a lock holds


def direct_requirements(lock: Lock) -> list[Requirement]:
    """The requirements a lock must meet, as its source states them, for the locked-for interpreter."""
    if lock.source == "pyproject.toml":
        project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        wanted, extras, seen = list(project["dependencies"]), list(lock.extras), set()
        while extras:  # an extra may name another of the project's extras (dev names cfncompiler[sandbox])
            extra = extras.pop()
            seen.add(extra)
            for text in project["optional-dependencies"][extra]:
                req = Requirement(text)
                if req.name == project["name"]:
                    extras += [e for e in req.extras if e not in seen]
                else:
                    wanted.append(text)
    else:
        wanted = requirement_lines((ROOT / lock.source).read_text(encoding="utf-8"))
    environment = default_environment() | {"python_version": PYTHON_VERSION, "sys_platform": "linux"}
    requirements = [Requirement(text) for text in [*wanted, *lock.also(ROOT)]]
    return [r for r in requirements if r.marker is None or r.marker.evaluate(environment)]


@pytest.mark.parametrize("lock", LOCKS, ids=[lock.path for lock in LOCKS])
def test_every_requirement_of_a_source_is_met_by_its_lock(lock: Lock) -> None:
    locked = pins(lock)
    unmet = [
        str(req)
        for req in direct_requirements(lock)
        if canonicalize_name(req.name) not in locked
        or not req.specifier.contains(locked[canonicalize_name(req.name)][0], prereleases=True)
    ]
    assert unmet == []


@pytest.mark.parametrize("lock", LOCKS, ids=[lock.path for lock in LOCKS])
def test_every_package_of_a_lock_is_pinned_with_sha256_hashes(lock: Lock) -> None:
    text = (ROOT / lock.path).read_text(encoding="utf-8")
    requirement_count = sum(1 for line in text.splitlines() if line and not line.startswith((" ", "#")))
    locked = pins(lock)
    assert len(locked) == requirement_count, "a line is not `name==version` followed by its hashes"
    assert [name for name, (_, digests) in locked.items() if not digests] == []
    assert "pip" in locked, "pip installs the lock: it is locked too"


def test_the_exact_pins_of_the_gate_and_the_sandbox_hold_in_the_lock() -> None:
    locked = pins(lock_for(DEV))
    assert locked["cfn-lint"][0] == Version("1.58.0")
    assert locked["moto"][0] == Version("5.2.5")
    assert pins(lock_for(SECURITY))["checkov"][0] == Version("3.3.30")


def test_the_virtualenv_the_tests_run_in_holds_the_dev_lock_versions() -> None:
    # These versions decide the incremental synth's digest and the lint gate's verdict.
    wrong = {}
    for name, (locked, _) in pins(lock_for(DEV)).items():
        try:
            installed = Version(version(name))
        except PackageNotFoundError:
            installed = None
        if installed != locked:
            wrong[name] = (str(locked), str(installed))
    assert wrong == {}, "locked vs installed; `make test` rebuilds .venv from the lock"


# --------------------------------------------------------------------------- make installs the locks, hashes checked

# The tools' virtualenv is built even from a stale lock: `make lock` needs its uv to write the new one.
# The tools' virtualenv is installed by pip (it holds uv); the other two by that uv.
UV = ".venv-tools/bin/uv"
VENVS = [
    pytest.param(".venv", "locks/dev.txt", ".venv/.installed", True, UV, id="dev"),
    pytest.param(".venv-security", "locks/security.txt", ".venv-security/.installed", True, UV, id="security"),
    pytest.param(".venv-tools", "locks/tools.txt", ".venv-tools/.installed", False, "pip", id="tools"),
]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("venv", "lock", "stamp", "refuses_stale", "installer"), VENVS)
def test_make_rebuilds_a_virtualenv_from_its_lock_with_hashes_checked_when_the_lock_changes(
    tmp_path: Path, venv: str, lock: str, stamp: str, refuses_stale: bool, installer: str
) -> None:
    # A scratch repository whose virtualenvs are up to date (stamps newer than every source)...
    root = scratch_repository(tmp_path)
    shutil.copy(ROOT / "Makefile", root / "Makefile")
    shutil.copytree(ROOT / "tools", root / "tools")
    for name in (".venv/.locked", ".venv/.installed", ".venv-security/.installed", ".venv-tools/.installed"):
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).touch()
    dry_run = ["make", "--no-print-directory", "-n", "-C", str(root), stamp]
    assert " -r " not in subprocess.run(dry_run, capture_output=True, text=True, timeout=60, check=True).stdout
    # ...until its lock changes.
    later = (root / stamp).stat().st_mtime + 10
    os.utime(root / lock, (later, later))
    commands = subprocess.run(dry_run, capture_output=True, text=True, timeout=60, check=True).stdout.splitlines()
    assert (f"python3 tools/locks.py check {lock}" in commands) == refuses_stale
    if installer == "pip":
        assert f"python3 -m venv --clear {venv}" in commands
        [install] = [c for c in commands if " -r " in c]
        assert install.startswith(f"{venv}/bin/python -m pip install ")
        assert install.endswith(f" -r {lock}")
        assert {"--require-hashes", "--only-binary"} <= set(install.split())
    else:
        assert f"python3 -m venv --clear --without-pip {venv}" in commands
        [install] = [c for c in commands if c.startswith(f"{installer} pip sync ")]
        assert install.endswith(f" --python {venv}/bin/python {lock}")  # sync: exactly the lock, nothing more
        assert {"--require-hashes", "--no-build"} <= set(install.split())
    others = [c for c in commands if "pip install" in c and c != install]
    assert all("--no-deps" in c for c in others), "only the lock may bring in a package"


# ------------------------------------------------------------------- pip and uv refuse a hash the lock does not list


def tiny_lock_text() -> str:
    [block] = [m[0] for m in BLOCK.finditer((ROOT / DEV).read_text(encoding="utf-8")) if m["name"] == TINY]
    return block


@pytest.fixture(scope="session")
def tiny_wheel(pytestconfig: pytest.Config) -> Path:
    """A wheel of the locked six, downloaded once (hashes checked) and kept in pytest's cache for later runs."""
    wheelhouse = pytestconfig.cache.mkdir("locked-wheel") if pytestconfig.cache else None
    assert wheelhouse is not None
    lines = wheelhouse / "lock.txt"
    lines.write_text(tiny_lock_text(), encoding="utf-8")
    if not any(wheelhouse.glob(f"{TINY}-*.whl")):
        download = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:"]
        done = subprocess.run(
            [*download, "--require-hashes", "--dest", str(wheelhouse), "-r", str(lines)],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["pip said nothing"])[-1]
            pytest.skip(f"cannot download the locked {TINY} wheel (no package index reachable, nothing cached): {why}")
    [wheel] = wheelhouse.glob(f"{TINY}-*.whl")
    return wheel


def pip_install_offline(lock_text: str, wheel: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """make's install command (--require-hashes, binaries only) from a one-package lock, offline, into a target."""
    lock = tmp_path / "lock.txt"
    lock.write_text(lock_text, encoding="utf-8")
    target = tmp_path / "target"
    command = [sys.executable, "-m", "pip", "install", "--isolated", "--no-index", "--find-links", str(wheel.parent)]
    command += ["--no-deps", "--require-hashes", "--only-binary", ":all:", "--target", str(target), "-r", str(lock)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120), target


def uv_install_offline(lock_text: str, wheel: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The same with make's uv (--require-hashes, --no-build), offline, with a cache of its own."""
    uv = ROOT / UV
    if not uv.exists():
        pytest.skip(f"{UV} is not built (make builds it before .venv)")
    lock = tmp_path / "lock.txt"
    lock.write_text(lock_text, encoding="utf-8")
    target = tmp_path / "target"
    command = [str(uv), "pip", "install", "--offline", "--no-index", "--find-links", str(wheel.parent), "--no-deps"]
    command += ["--require-hashes", "--no-build", "--python", sys.executable, "--target", str(target), "-r", str(lock)]
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uv-cache")}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env), target


INSTALLERS = [pytest.param(pip_install_offline, id="pip"), pytest.param(uv_install_offline, id="uv")]
Installer = Callable[[str, Path, Path], tuple[subprocess.CompletedProcess[str], Path]]
# How each names the hash it got for a wheel the lock does not list.
MISMATCH = {"pip": "THESE PACKAGES DO NOT MATCH THE HASHES", "uv": "Hash mismatch"}


@pytest.mark.xdist_group("locked-wheel")
@pytest.mark.parametrize("install", INSTALLERS)
def test_the_installer_installs_a_locked_wheel_whose_hash_the_lock_lists(
    install: Installer, tiny_wheel: Path, tmp_path: Path
) -> None:
    assert hashlib.sha256(tiny_wheel.read_bytes()).hexdigest() in tiny_lock_text()
    done, target = install(tiny_lock_text(), tiny_wheel, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (target / f"{TINY}.py").exists()


@pytest.mark.xdist_group("locked-wheel")
@pytest.mark.parametrize("install", INSTALLERS)
def test_the_installer_refuses_a_wheel_whose_hash_in_the_lock_was_changed(
    install: Installer, tiny_wheel: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    digest = hashlib.sha256(tiny_wheel.read_bytes()).hexdigest()
    changed = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    altered = tiny_lock_text().replace(digest, changed)
    assert altered != tiny_lock_text()
    done, target = install(altered, tiny_wheel, tmp_path)
    assert done.returncode != 0
    assert MISMATCH[request.node.callspec.id] in done.stderr
    assert digest in done.stderr  # it names the hash it got
    assert not (target / f"{TINY}.py").exists()
