"""Running whole processes and timing them: every figure of ``make bench``, and the machine they ran on.

Every figure is a whole process started with :mod:`subprocess`, run several
times (7 by default; none dropped), and reported as min / median / max wall
time and peak memory:

- wall time: ``time.perf_counter`` from just before the process is started to
  its exit, as reaped by ``os.wait4``;
- peak RSS: the child's ``ru_maxrss``, as GNU time (``/usr/bin/time -f %M``)
  reports it, or ``os.wait4`` where there is no GNU time. On Linux it is the
  largest resident set of the process *or any descendant it reaped* (the
  cfn-lint workers included), i.e. the biggest single process, not their sum.
  (``getrusage(RUSAGE_CHILDREN)`` deltas cannot give a per-run figure: its
  ``ru_maxrss`` is a running maximum over every child ever reaped.)
- for the synth figures, one extra untimed run samples the whole process tree
  every 20 ms and records the peak of the sum of its proportional set sizes
  (PSS, from /proc/PID/smaps_rollup: pages shared by the forked lint workers
  counted once), so a parallel gate cannot hide memory behind the per-process
  figure.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from bench.specgen import generate
from cfncompiler.sandbox.server import DUMMY_CREDENTIALS, HOST, endpoint_url

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CLI = Path(sys.executable).parent / "cfncompiler"
SPEC = ROOT / "spec" / "production.yaml"
LAYERS = ("network", "data", "platform", "observability")
QUIET_LOAD = 1.0
SAMPLE_SECONDS = 0.02
SANDBOX_START_SECONDS = 90

# A command line and the environment to run it in.
Command = tuple[list[str], dict[str, str]]
# What to run for the run numbered by its argument (0-based).
Setup = Callable[[int], Command]


# ----------------------------------------------------------------------------- what one run and one figure hold


@dataclass
class Run:
    wall: float
    maxrss_kb: int
    returncode: int
    stdout: str
    stderr: str
    load: float  # 1-minute load average just before the run


@dataclass
class Figure:
    key: str
    title: str
    command: str
    runs: list[Run] = field(default_factory=list)
    expected_returncode: int = 0
    tree_pss_kb: int | None = None  # whole-tree peak from the extra sampled run
    tree_rss_kb: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def walls(self) -> list[float]:
        return [r.wall for r in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def rss_mb(self) -> list[float]:
        return [r.maxrss_kb / 1024 for r in self.runs]

    @property
    def peak_mb(self) -> float:
        """The larger of the biggest single process (any run) and the sampled whole-tree PSS."""
        return max([*self.rss_mb, (self.tree_pss_kb or 0) / 1024])

    @property
    def unexpected(self) -> list[Run]:
        return [r for r in self.runs if r.returncode != self.expected_returncode]

    def note_failure(self, *, say_expected: bool = False) -> None:
        """Quote the first run that exited otherwise than expected: one is enough to say what went wrong."""
        for bad in self.unexpected[:1]:
            expected = f" (expected {self.expected_returncode})" if say_expected else ""
            self.notes.append(f"exit {bad.returncode}{expected}: {tail(bad.stderr)}")


@dataclass
class Size:
    services: int
    spec: Path
    synth: Figure
    compile: Figure
    layers: dict[str, dict[str, int]] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)  # median seconds per step inside compile_only
    in_process: list[float] = field(default_factory=list)  # load + compile seconds inside compile_only, per run


@dataclass
class DeployResult:
    setup: Run | None = None
    setup_actions: Counter[str] = field(default_factory=Counter)
    noop: Figure | None = None
    noop_actions: list[Counter[str]] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Results:
    started: datetime
    machine: dict[str, str]
    quiet: str
    load_start: str
    load_end: str = ""
    source_changed: bool = False
    runs: int = 7
    figures: list[Figure] = field(default_factory=list)
    sizes: list[Size] = field(default_factory=list)
    deploy: DeployResult | None = None
    finished: datetime | None = None


# ----------------------------------------------------------------------------- running one process


def gnu_time() -> str | None:
    """/usr/bin/time if it is GNU time (``-f %M`` gives the child's peak RSS in kB), else None."""
    path = shutil.which("time", path="/usr/bin:/bin")
    if path is None:
        return None
    probe = subprocess.run([path, "-f", "%M", "true"], capture_output=True, text=True, check=False)
    return path if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


TIME = gnu_time()


def run_once(argv: Sequence[str], env: dict[str, str], cwd: Path, *, sample_tree: bool = False) -> tuple[Run, int, int]:
    """Run ``argv`` to completion; return the run and, if sampled, the tree's peak PSS and RSS sums (kB).

    Peak RSS comes from GNU time when the machine has it: a child's ``ru_maxrss``
    includes the memory of the process it was forked from up to its ``exec``
    (Linux records the old address space's high-water mark there), so measured
    from this Python process the figure could never go below this process's own
    size; GNU time is a small C program and adds only ~2 MB of floor, and about
    a millisecond of wall time. Without it, ``os.wait4``'s figure is used.
    """
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as rss:
        command = [TIME, "-f", "%M", "-o", rss.name, *argv] if TIME else list(argv)
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        peak_pss = peak_rss = 0
        if sample_tree:
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                pss, rss_sum = tree_memory(process.pid, include_root=TIME is None)
                peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss_sum)
                time.sleep(SAMPLE_SECONDS)
        else:
            _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here; Popen must not wait again
        maxrss = usage.ru_maxrss
        if TIME:
            lines = Path(rss.name).read_text(encoding="utf-8").split()
            maxrss = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        out.seek(0)
        err.seek(0)
        run = Run(
            wall=wall,
            maxrss_kb=maxrss,
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            load=load,
        )
    return run, peak_pss, peak_rss


def tree_memory(root: int, *, include_root: bool = True) -> tuple[int, int]:
    """Sum of PSS and of RSS (kB) over ``root``'s descendants (and ``root``), read from /proc now."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    pss = rss = 0
    stack = [root] if include_root else list(children.get(root, []))
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
        except OSError:
            continue
    return pss, rss


def fixed(argv: list[str], env: dict[str, str]) -> Setup:
    """The same command and environment for every run."""
    return lambda _: (argv, env)


def measure(figure: Figure, setup: Setup, cwd: Path, runs: int, *, sample_tree: bool = False) -> Figure:
    """``runs`` timed runs of what ``setup(i)`` returns (argv, env), plus one sampled run if asked."""
    for index in range(runs):
        argv, env = setup(index)
        run, _, _ = run_once(argv, env, cwd)
        figure.runs.append(run)
        log(f"  {figure.title}: run {index + 1}/{runs} {run.wall:.3f} s, {run.maxrss_kb / 1024:.0f} MB")
    if sample_tree:
        argv, env = setup(runs)
        run, pss, rss = run_once(argv, env, cwd, sample_tree=True)
        figure.tree_pss_kb, figure.tree_rss_kb = pss, rss
        log(f"  {figure.title}: sampled run {run.wall:.3f} s, whole tree peak PSS {pss / 1024:.0f} MB")
    figure.note_failure(say_expected=True)
    return figure


def tail(text: str, lines: int = 4) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " / ".join(kept)[:600]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def base_env() -> dict[str, str]:
    """This environment without anything that points at AWS or sets the cache, and with bytecode caching on.

    PYTHONDONTWRITEBYTECODE is dropped: with it set (as on some CI images) every
    process compiles cfncompiler's own modules from source, which a developer's
    machine does not do.
    """
    dropped = {"CFNCOMPILER_CACHE_DIR", "PYTHONDONTWRITEBYTECODE"}
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in dropped}


def cache_env(cache: Path) -> dict[str, str]:
    # The synth state lives in the lint cache's parent (incremental.py): keep both inside ``cache``.
    return {**base_env(), "CFNCOMPILER_CACHE_DIR": str(cache / "lint")}


# ----------------------------------------------------------------------------- synth and start-up


def copy_project(work: Path) -> Path:
    """Copy spec/ and its assets into ``work`` (others may edit spec/ while this runs); return the spec's path."""
    shutil.copytree(ROOT / "spec", work / "project" / "spec")
    shutil.copytree(ROOT / "litellm", work / "project" / "litellm")
    return work / "project" / "spec" / "production.yaml"


def synth_argv(spec: Path, out: Path, *flags: str) -> list[str]:
    return [str(CLI), "synth", "--spec", str(spec), "--out", str(out), *flags]


def cold_synth(work: Path, spec: Path, prefix: str, *flags: str) -> Command:
    """A synth into a new out dir with an empty cache of its own, so that nothing of an earlier run is reused."""
    run_dir = Path(tempfile.mkdtemp(prefix=prefix, dir=work))
    return synth_argv(spec, run_dir / "out", *flags), cache_env(run_dir / "cache")


def synth_figures(work: Path, spec: Path, runs: int) -> list[Figure]:
    figures = []
    for key, title, flags in (
        ("lint", "synth, lint gate, cold (empty cache, new out dir)", ()),
        ("no_lint", "synth without the gate, cold (empty cache, new out dir)", ("--no-lint",)),
    ):
        figure = Figure(key, title, " ".join(["cfncompiler synth", *flags]))

        def cold(index: int, key: str = key, flags: tuple[str, ...] = flags) -> Command:
            return cold_synth(work, spec, f"{key}-{index}-", *flags)

        log(f"{title}:")
        figures.append(measure(figure, cold, work, runs, sample_tree=True))
    figures.append(warm_figure(work, spec, runs))
    return figures


def warm_figure(work: Path, spec: Path, runs: int) -> Figure:
    """The same cache and out dir as one priming synth; nothing changes in between."""
    warm_dir = work / "warm"
    argv, env = synth_argv(spec, warm_dir / "out"), cache_env(warm_dir / "cache")
    figure = Figure("warm", "synth again, nothing changed (same cache and out dir)", "cfncompiler synth")
    log("synth again, nothing changed:")
    priming, _, _ = run_once(argv, env, work)
    figure.notes.append(f"priming run (not counted): {priming.wall:.2f} s, exit {priming.returncode}")
    state_dir = warm_dir / "cache" / "synth"
    before = file_stamps(state_dir)
    measure(figure, fixed(argv, env), work, runs, sample_tree=True)
    reused = sum(1 for r in figure.runs if r.stdout.count("(unchanged)") == len(LAYERS))
    state = (
        "untouched (the last result was reused)"
        if file_stamps(state_dir) == before
        else "rewritten (something was compiled again)"
    )
    figure.notes.append(f"{reused}/{len(figure.runs)} runs reported all four templates unchanged; synth state {state}")
    return figure


def file_stamps(directory: Path) -> dict[str, tuple[int, int]]:
    if not directory.is_dir():
        return {}
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in directory.iterdir()}


def help_figure(work: Path, runs: int) -> Figure:
    figure = Figure("help", "cfncompiler --help", "cfncompiler --help")
    log("cfncompiler --help:")
    return measure(figure, fixed([str(CLI), "--help"], base_env()), work, runs)


# ----------------------------------------------------------------------------- scaling


def scaling(work: Path, runs: int, sizes: Sequence[int]) -> list[Size]:
    """Every size, run round-robin (run 1 of each size, then run 2 of each...).

    Interleaving spreads whatever else the machine does over all sizes alike,
    instead of letting one burst of someone else's work land on one size.
    """
    specs_dir = work / "scale"
    found = []
    for services in sizes:
        spec = generate(SPEC, services, specs_dir)
        synth = Figure("scale_synth", f"synth --no-lint, {services} services", "cfncompiler synth --no-lint")
        compile_figure = Figure("scale_compile", f"compile_only, {services} services", "python bench/compile_only.py")
        found.append(Size(services, spec, synth, compile_figure))
    log(f"scaling over {', '.join(str(s.services) for s in found)} services, interleaved:")
    for index in range(runs):
        for size in found:
            argv, env = cold_synth(work, size.spec, f"scale-{size.services}-{index}-", "--no-lint")
            synth_run, _, _ = run_once(argv, env, work)
            size.synth.runs.append(synth_run)
            compile_run, _, _ = run_once(
                [sys.executable, str(BENCH / "compile_only.py"), str(size.spec)], base_env(), work
            )
            size.compile.runs.append(compile_run)
            log(
                f"  run {index + 1}/{runs}, {size.services} services: synth {synth_run.wall:.3f} s "
                f"(exit {synth_run.returncode}), compile_only {compile_run.wall:.3f} s"
            )
    for size in found:
        read_compile_reports(size)
        size.compile.note_failure()
    return found


def read_compile_reports(size: Size) -> None:
    """Fill in what compile_only printed: the templates' sizes and the seconds of each step inside it."""
    reports = [json.loads(r.stdout) for r in size.compile.runs if r.returncode == 0]
    if not reports:
        return
    size.layers = reports[0]["layers"]
    size.steps = {step: statistics.median(r["seconds"][step] for r in reports) for step in reports[0]["seconds"]}
    size.in_process = [r["seconds"]["load"] + r["seconds"]["compile"] for r in reports]


# ----------------------------------------------------------------------------- the no-op deploy


@contextmanager
def sandbox(work: Path, recording: Path) -> Iterator[str]:
    """``python -m cfncompiler.sandbox --port N``, started as a user starts it; yields its URL once it answers.

    moto's request recorder is on, writing to ``recording``, so that the requests of each run can be counted.
    """
    # Port 0: the kernel picks a port that is free now; the sandbox binds it a moment later.
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    env = {**base_env(), "MOTO_ENABLE_RECORDING": "True", "MOTO_RECORDER_FILEPATH": str(recording)}
    server_log = work / "sandbox.log"
    with (
        server_log.open("wb") as output,
        subprocess.Popen(
            [sys.executable, "-m", "cfncompiler.sandbox", "--port", str(port)],
            cwd=work,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        ) as process,
    ):
        try:
            deadline = time.monotonic() + SANDBOX_START_SECONDS
            while True:
                with socket.socket() as client:
                    if client.connect_ex((HOST, port)) == 0:
                        break
                if process.poll() is not None:
                    raise RuntimeError(f"the sandbox exited with {process.returncode}; see {server_log}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the sandbox did not listen within {SANDBOX_START_SECONDS} s")
                time.sleep(0.1)
            yield endpoint_url(port)
        finally:
            # Nothing in it is worth a graceful stop: each run's recording has been read already.
            process.kill()


def sandbox_env(url: str, work: Path) -> dict[str, str]:
    """What the sandbox tells a user to export, and nothing of this host's own AWS set-up."""
    return {
        **base_env(),
        **DUMMY_CREDENTIALS,
        "AWS_ENDPOINT_URL": url,
        # No config or credentials file and no instance metadata: botocore must look nowhere beyond 127.0.0.1.
        "AWS_CONFIG_FILE": str(work / "nonexistent-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(work / "nonexistent-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


def recorded_actions(recording: Path) -> Counter[str]:
    """The API calls in moto's request recording: the query ``Action`` (or JSON target), else method and path."""
    found: Counter[str] = Counter()
    if not recording.exists():
        return found
    for line in recording.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry: dict[str, Any] = json.loads(line)
        body = entry.get("body") or ""
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode("utf-8", "replace")
        url = urlparse(str(entry.get("url", "")))
        headers = {str(k).lower(): str(v) for k, v in (entry.get("headers") or {}).items()}
        target = headers.get("x-amz-target", "")
        action = (
            (parse_qs(body).get("Action") if isinstance(body, str) else None)
            or parse_qs(url.query).get("Action")
            or ([target.rsplit(".", 1)[-1]] if target else None)
            or [f"{entry.get('method')} {url.path.split('/')[1] if url.path.count('/') else url.path}"]
        )
        found[action[0]] += 1
    return found


def deploy_figure(work: Path, spec: Path, warm_cache: Path, runs: int) -> DeployResult:
    result = DeployResult()
    recording = work / "moto-recording.jsonl"
    out = work / "deploy-out"
    cwd = spec.parent.parent
    log("no-op deploy against the local endpoint:")
    synth_run, _, _ = run_once(synth_argv(spec, out), cache_env(warm_cache), cwd)
    if synth_run.returncode != 0:
        result.notes.append(f"synth for the deploy failed (exit {synth_run.returncode}): {tail(synth_run.stderr)}")
        return result
    with sandbox(work, recording) as url:
        env = sandbox_env(url, work)

        def deploy(layers: Sequence[str]) -> tuple[Run, Counter[str]]:
            """One deploy (all layers when ``layers`` is empty) and the requests the sandbox got during it."""
            # --skip-preflight: the sandbox holds no value of the provided secrets and no ECR image; the figure
            # is the deploy itself.
            argv = [str(CLI), "deploy", "--yes", "--skip-preflight", "--spec", str(spec), "--out", str(out)]
            recording.write_text("", encoding="utf-8")
            run, _, _ = run_once(argv + [arg for layer in layers for arg in ("--layer", layer)], env, cwd)
            return run, recorded_actions(recording)

        setup, result.setup_actions = deploy([])
        result.setup = setup
        log(f"  first deploy (sets up the stacks): {setup.wall:.2f} s, exit {setup.returncode}")
        if setup.returncode == 0:
            result.layers = list(LAYERS)
        else:
            result.notes.append(f"the deploy of all four layers failed (exit {setup.returncode}): {tail(setup.stderr)}")
            # Measure what works: the layers that deploy, in order, up to the first that does not.
            for layer in LAYERS:
                attempt, _ = deploy([layer])
                if attempt.returncode != 0:
                    result.notes.append(
                        f"layer {layer} does not deploy (exit {attempt.returncode}): {tail(attempt.stderr)}"
                    )
                    break
                result.layers.append(layer)
            if not result.layers:
                return result
        every_layer = result.layers == list(LAYERS)
        figure = Figure(
            "deploy",
            f"no-op deploy, {len(result.layers)} layer(s)",
            "cfncompiler deploy --yes" + ("" if every_layer else " --layer ..."),
        )
        for index in range(runs):
            run, actions = deploy([] if every_layer else result.layers)
            figure.runs.append(run)
            result.noop_actions.append(actions)
            log(
                f"  no-op deploy: run {index + 1}/{runs} {run.wall:.3f} s, "
                f"CreateChangeSet x{actions['CreateChangeSet']}"
            )
        figure.note_failure()
        up_to_date = sum(1 for r in figure.runs if r.stderr.count("up to date") == len(result.layers))
        figure.notes.append(f"{up_to_date}/{len(figure.runs)} runs said every layer was up to date")
        result.noop = figure
    return result


# ----------------------------------------------------------------------------- the machine and its load


def machine() -> dict[str, str]:
    model = proc_value("/proc/cpuinfo", "model name") or "unknown"
    kilobytes = proc_value("/proc/meminfo", "MemTotal:")
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "CPU": model,
        "nproc": nproc or str(len(os.sched_getaffinity(0))),
        "Memory": f"{int(kilobytes.split()[0]) / 1024 / 1024:.1f} GiB" if kilobytes else "unknown",
        "Kernel": platform.release(),
        "Python": f"{platform.python_version()} ({sys.executable})",
        "cfn-lint": package_version("cfn-lint"),
        "moto": package_version("moto"),
        "Commit": git_commit(),
        "Peak RSS from": f"GNU time ({TIME} -f %M)" if TIME else "os.wait4 (floor: this harness's own size)",
        "Bytecode caching": "PYTHONDONTWRITEBYTECODE was set here; unset for the measured processes"
        if os.environ.get("PYTHONDONTWRITEBYTECODE")
        else "on",
    }


def proc_value(path: str, key: str) -> str | None:
    """The value of the first ``key ... : value`` line of a /proc file such as /proc/cpuinfo."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    return None


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def git_commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src", "spec"], cwd=ROOT, capture_output=True, text=True
    )
    commit = head.stdout.strip() or "unknown"
    return commit + (" (src/ or spec/ with uncommitted changes)" if dirty.stdout.strip() else "")


def source_digest() -> str:
    h = hashlib.sha256()
    for path in sorted((ROOT / "src" / "cfncompiler").rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def wait_for_quiet(minutes: float) -> str:
    """Poll the 1-minute load average until it is below QUIET_LOAD, for at most ``minutes``."""
    if minutes <= 0:
        return "not waited for"
    deadline = time.monotonic() + minutes * 60
    started = time.monotonic()
    while True:
        load = os.getloadavg()[0]
        if load < QUIET_LOAD:
            return f"quiet (1-min load {load:.2f} < {QUIET_LOAD}) after {time.monotonic() - started:.0f} s of waiting"
        if time.monotonic() >= deadline:
            return f"NOT quiet: 1-min load still {load:.2f} after waiting {minutes:g} min; measured anyway"
        log(f"waiting for a quiet machine: 1-min load {load:.2f} (>= {QUIET_LOAD})")
        time.sleep(15)
