"""What the benchmark scripts share about running: the environment, logging, memory figures, phases run in
fresh processes, and waiting for the machine (shared with other benchmarks) to be quiet.

Importing it puts the project on sys.path and sets the environment Django reads (before ``django_setup``):
production settings (DEBUG off, so no query log grows with the work measured).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ["DEBUG"] = "0"

BENCHMARKS = r"bench/[a-z_]+\.py"  # the command line of a running benchmark
BUSY_TICKS = 10  # CPU ticks (1/100 s) in 2 s from which another benchmark counts as running, not waiting


def logger(name: str) -> Callable[[str], None]:
    """A log function writing ``[name HH:MM:SS] message`` lines to stderr (stdout is for results)."""

    def log(message: str) -> None:
        print(f"[{name} {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    return log


def django_setup() -> None:
    import django

    django.setup()


def rss_mb() -> float:
    """This process's resident set now."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    """This process's peak resident set so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@contextmanager
def profiled(enabled: bool, *orders: tuple[str, int]):
    """cProfile the block if ``enabled``, then print its stats on stderr: the first lines by each order."""
    if not enabled:
        yield
        return
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    for order, lines in orders:
        stats.sort_stats(order).print_stats(lines)


# --- phases in fresh processes ---------------------------------------------------------------------------


def phase_main(phase: str, phases: dict[str, Callable[[], dict]]) -> None:
    """In the child: set Django up, run ``phase`` and print its report on a ``PHASE <json>`` line."""
    if phase not in phases:
        raise SystemExit(f"unknown phase {phase}")
    django_setup()
    print("PHASE " + json.dumps(phases[phase]()), flush=True)


def run_phase(script: str, phase: str, argv: list[str], log: Callable[[str], None], *,
              timeout: float | None = None, max_mb: float | None = None, watch: bool = False) -> dict:  # fmt: skip
    """Run ``script --phase <phase> <argv>`` in a fresh process, so that its peak memory is the phase's
    alone, and return the report of its PHASE line; or why it was stopped, after ``timeout`` seconds or
    above ``max_mb`` of resident memory. The child's peak (VmHWM) is sampled from outside too, for what a
    process cannot report once it is killed. With ``watch``, the report says ``disturbed`` when another
    benchmark ran meanwhile."""
    command = [sys.executable, str(Path(script).resolve()), "--phase", phase, *argv]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    started, hwm, stopped, polls, disturbed = time.monotonic(), 0.0, None, 0, []
    while child.poll() is None:
        polls += 1
        if watch and polls % 20 == 0 and not disturbed:  # every 10 s: is another one running?
            disturbed = other_benchmarks()
        try:
            with open(f"/proc/{child.pid}/status") as f:
                status = dict(line.split(":", 1) for line in f if ":" in line)
            hwm = max(hwm, int(status["VmHWM"].split()[0]) / 1024)
            rss = int(status["VmRSS"].split()[0]) / 1024
        except (FileNotFoundError, KeyError, ValueError):
            rss = 0.0
        if timeout and time.monotonic() - started > timeout:
            stopped = f"timeout>{timeout:.0f}s"
        elif max_mb and rss > max_mb:
            stopped = f"memory>{max_mb:.0f}MB"
        if stopped:
            child.kill()
            child.wait()
            log(f"phase {phase} stopped: {stopped} (peak {hwm:.0f} MB)")
            return {"stopped": stopped, "seconds": time.monotonic() - started, "peak_mb": hwm}
        time.sleep(0.5)
    stdout = child.stdout.read()
    if child.returncode:
        raise SystemExit(f"phase {phase} failed (exit {child.returncode})")
    line = [row for row in stdout.splitlines() if row.startswith("PHASE ")][-1]
    report = json.loads(line[len("PHASE ") :])
    if "peak_mb" in report:
        report["peak_mb"] = max(report["peak_mb"], hwm)
    if watch and (disturbed := disturbed or other_benchmarks()):
        report["disturbed"] = True
        log(f"another benchmark ran during {phase}: {disturbed[0][:120]}")
    return report


# --- other benchmarks on the same machine ----------------------------------------------------------------


def other_benchmarks(busy_only: bool = False) -> list[str]:
    """Command lines of the other benchmarks (``bench/*.py``) running now: the machine is shared.

    Never this process, its ancestors or its descendants (the phases it runs). With ``busy_only``, only
    those using CPU (sampled over 2 s): one that waits for the machine to be quiet is not counted, or two
    benchmarks waiting so would wait for each other for ever. Without it, every one counts but other runs
    of this same script, for the same reason.
    """
    mine = _ancestors(os.getpid())
    found = subprocess.run(["pgrep", "-af", BENCHMARKS], capture_output=True, text=True).stdout
    others = {}
    for line in found.splitlines():
        pid = int(line.split()[0])
        if pid in mine or os.getpid() in _ancestors(pid):
            continue
        others[pid] = line
    if not busy_only:
        me = f"bench/{Path(sys.argv[0]).name}"
        return [line for line in others.values() if me not in line]
    before = {pid: _cpu_ticks(pid) for pid in others}
    time.sleep(2)
    return [line for pid, line in others.items() if _cpu_ticks(pid) - before[pid] >= BUSY_TICKS]


def wait_quiet(log: Callable[[str], None], busy_only: bool = False) -> None:
    """Wait while another benchmark runs (see ``other_benchmarks``), saying so every five minutes."""
    waited = 0
    while running := other_benchmarks(busy_only):
        if waited % 300 == 0:
            log(f"waiting for other benchmarks to finish: {running[0][:120]}")
        time.sleep(30)
        waited += 30


def _stat(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (state, ppid, ...)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def _ancestors(pid: int) -> set[int]:
    """The process and its ancestors."""
    found = set()
    while pid > 1 and pid not in found:
        found.add(pid)
        try:
            pid = int(_stat(pid)[1])
        except OSError:
            break
    return found


def _cpu_ticks(pid: int) -> int:
    """User and system time of a process and of its waited-for children (a phase run as a subprocess)."""
    try:
        fields = _stat(pid)
    except OSError:
        return -1
    return sum(int(v) for v in fields[11:15])
