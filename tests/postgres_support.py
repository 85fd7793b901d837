"""A real PostgreSQL server for a test: the binaries of the `pgserver` wheel (PostgreSQL 16, psql
included), a fresh cluster in a temporary directory, listening on 127.0.0.1 with password logins.

No system package is needed. PostgreSQL refuses to run as root, so under root (CI) the server runs as
`nobody`; psql runs as the test itself. A server that cannot start skips the test with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pytest

SUPERUSER = "postgres"
UNPRIVILEGED = "nobody"


def binaries() -> Path | None:
    """The wheel's bin directory, found without importing pgserver (its import sets up locks and users)."""
    spec = find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return path if (path / "postgres").exists() else None


@dataclass(frozen=True)
class Server:
    bin: Path
    port: int
    socket_dir: Path

    def env(self, user: str, password: str | None, database: str, **extra: str) -> dict[str, str]:
        """An environment for psql (or the bootstrap's shell command) logging in over TCP with a password."""
        env = {
            "PATH": f"{self.bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.port),
            "PGUSER": user,
            "PGDATABASE": database,
            # The wheel's server is built without TLS; the container's PGSSLMODE=require is RDS's side.
            "PGSSLMODE": "disable",
            "PGCONNECT_TIMEOUT": "10",
            **extra,
        }
        if password is not None:
            env["PGPASSWORD"] = password
        return env

    def psql(
        self, sql: str, *, user: str, password: str | None, database: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run ``sql`` through psql as ``user``: over TCP with a password, or as the superuser on the socket."""
        if user == SUPERUSER:
            env = {"PATH": f"{self.bin}:/usr/bin:/bin", "PGHOST": str(self.socket_dir), "PGPORT": str(self.port)}
            env |= {"PGUSER": user, "PGDATABASE": database}
        else:
            env = self.env(user, password, database)
        # On standard input, statement by statement (as -c would not: it runs a string as one transaction).
        return run([str(self.bin / "psql"), "-X", "-qAt", "-v", "ON_ERROR_STOP=1"], env, check=check, input=sql)


def run(
    command: list[str], env: Mapping[str, str], *, check: bool = True, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, env=dict(env), input=input, capture_output=True, text=True, timeout=60, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{command[0]} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_server_user() -> dict[str, object]:
    if os.geteuid() != 0:
        return {}
    return {"user": UNPRIVILEGED, "group": "nogroup" if _has_group("nogroup") else UNPRIVILEGED}


def _has_group(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


@contextmanager
def postgres_server() -> Iterator[Server]:
    """A running server, stopped and removed afterwards; skips the test when none can start."""
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("the pgserver wheel (PostgreSQL server binaries) is not installed")
    # Not under pytest's tmp_path: that is private to this user, and the server may run as another.
    root = Path(tempfile.mkdtemp(prefix="cfncompiler-pg-"))
    data, socket_dir = root / "data", root / "socket"
    run_as = _as_server_user()
    try:
        for path in (root, socket_dir):
            path.mkdir(exist_ok=True)
            if run_as:
                shutil.chown(path, str(run_as["user"]), str(run_as["group"]))
        server_bin = _reachable(bin_dir, root, run_as)
        port = _free_port()
        failure = _start(server_bin, data, socket_dir, root, port, run_as)
        if failure is not None:
            pytest.skip(f"PostgreSQL did not start: {failure}")
        try:
            yield Server(bin_dir, port, socket_dir)
        finally:
            subprocess.run(
                [str(server_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                cwd=root,
                timeout=60,
                check=False,
                **run_as,  # type: ignore[arg-type]
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _reachable(bin_dir: Path, root: Path, run_as: dict[str, object]) -> Path:
    """The binaries where the server's user can run them: in place, or (when a parent directory of the
    virtualenv is private to root, as a CI clone may be) a copy of the wheel's install beside the data."""
    if not run_as:
        return bin_dir
    try:
        probe = subprocess.run(
            [str(bin_dir / "postgres"), "--version"],
            capture_output=True,
            cwd=root,
            timeout=60,
            check=False,
            **run_as,  # type: ignore[arg-type]
        )
        if probe.returncode == 0:
            return bin_dir
    except PermissionError:
        pass
    # The wheel's layout, kept: initdb finds the vendored libpq at $ORIGIN/../../../pgserver.libs.
    copy = root / "pgserver" / "pginstall"
    shutil.copytree(bin_dir.parent, copy, symlinks=True)
    libs = bin_dir.parents[2] / "pgserver.libs"
    if libs.is_dir():
        shutil.copytree(libs, root / "pgserver.libs", symlinks=True)
    return copy / "bin"


def _start(bin_dir: Path, data: Path, socket_dir: Path, root: Path, port: int, run_as: dict[str, object]) -> str | None:
    """Initialise and start the cluster; the reason it failed, or None."""
    steps = [
        # Passwords over TCP (as RDS asks them); the superuser sets the scene through the socket.
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--no-instructions",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        ],
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
            "-o",
            f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off",
        ],
    ]
    for step in steps:
        try:
            result = subprocess.run(
                step,
                capture_output=True,
                text=True,
                cwd=root,
                timeout=120,
                check=False,
                **run_as,  # type: ignore[arg-type]
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return f"{Path(step[0]).name}: {exc}"
        if result.returncode != 0:
            log = root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            return f"{Path(step[0]).name} exited {result.returncode}: {result.stderr.strip()} {tail}".strip()
    return None
