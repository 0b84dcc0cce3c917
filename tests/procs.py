"""Helpers for tests that start ``govsim`` as a real process and then interrupt, kill or load it.

Every process a test starts carries ``GOVSIM_TEST_RUN=<marker>`` in its environment; pool
workers inherit it (forked or spawned), so walking ``/proc`` for the marker finds every process
of a run, whoever its parent is by then (a worker orphaned by its parent's death is re-parented
to init or a subreaper and would not be found by walking children). Zombies do not count: they
hold no memory and run nothing, and a container's init may be slow to reap them.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER_VARIABLE = "GOVSIM_TEST_RUN"


def wait_until(condition: Callable[[], object], timeout: float, what: str, every: float = 0.02):
    """Poll ``condition`` until it is true and return its value; fail naming ``what`` after
    ``timeout`` seconds (a generous deadline, never the assertion itself)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} after {timeout:.0f} s")
        time.sleep(every)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def state(pid: int) -> str | None:
    """The one-letter state of ``pid`` (``R``, ``S``, ``T``, ``Z`` ...) or None if it is gone."""
    stat = _read(Path(f"/proc/{pid}/stat"))
    if stat is None:
        return None
    return stat.rsplit(b") ", 1)[-1][:1].decode()


def processes_marked(marker: str) -> list[int]:
    """Live (non-zombie) processes whose environment holds ``GOVSIM_TEST_RUN=marker``."""
    needle = f"{MARKER_VARIABLE}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        environ = _read(entry / "environ")
        if environ is None or needle not in environ.split(b"\0"):
            continue
        if state(int(entry.name)) not in (None, "Z", "X"):
            found.append(int(entry.name))
    return found


def children(pid: int) -> list[int]:
    """Live direct children of ``pid`` (from ``/proc/<pid>/task/*/children``)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = _read(task / "children")
        if text:
            found.extend(int(p) for p in text.split())
    return [p for p in found if state(p) not in (None, "Z", "X")]


def wchan(pid: int) -> str:
    """Where in the kernel ``pid``'s main thread sleeps."""
    return (_read(Path(f"/proc/{pid}/wchan")) or b"").decode(errors="replace")


def blocked_writing_pipe(pid: int) -> bool:
    """True while ``pid`` waits to write into a full pipe (``pipe_write``, or
    ``anon_pipe_write`` on newer kernels)."""
    return wchan(pid).endswith("pipe_write")


def digests(folder: Path) -> dict[str, str]:
    """Name → SHA-256 of every file under ``folder`` (relative paths)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@dataclass
class Govsim:
    """One ``python -m simulation ...`` child in its own session (so Ctrl-C can be sent to its
    whole process group, as a terminal does), marked, its output collected in files."""

    args: Sequence[str]
    workdir: Path
    marker: str = field(default_factory=lambda: uuid.uuid4().hex)
    process: subprocess.Popen | None = None

    def start(self, extra_env: dict[str, str] | None = None) -> Govsim:
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, MARKER_VARIABLE: self.marker, **(extra_env or {})}
        env.pop("COVERAGE_PROCESS_START", None)
        self._out = open(self.workdir / f"{self.marker}.stdout", "wb")  # noqa: SIM115
        self._err = open(self.workdir / f"{self.marker}.stderr", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "simulation", *self.args],
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=self._err,
            start_new_session=True,
        )
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    def stderr(self) -> str:
        return (self.workdir / f"{self.marker}.stderr").read_text(errors="replace")

    def stdout(self) -> str:
        return (self.workdir / f"{self.marker}.stdout").read_text(errors="replace")

    def workers(self) -> list[int]:
        return children(self.pid)

    def signal(self, signum: int) -> None:
        with _gone_ok():
            os.kill(self.pid, signum)

    def ctrl_c(self) -> None:
        """SIGINT to the whole process group, as a terminal's Ctrl-C."""
        with _gone_ok():
            os.killpg(self.pid, signal.SIGINT)

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._out.close()
            self._err.close()

    def leftovers(self) -> list[int]:
        return processes_marked(self.marker)

    def cleanup(self) -> None:
        """Kill whatever of this run is still alive (after a failed assertion)."""
        for pid in self.leftovers():
            with _gone_ok():
                os.kill(pid, signal.SIGKILL)
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class _gone_ok:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        return kind is ProcessLookupError


@dataclass
class CpuHogs:
    """Busy-looping processes that keep every core loaded while a test runs."""

    count: int
    marker: str = field(default_factory=lambda: uuid.uuid4().hex)
    processes: list[subprocess.Popen] = field(default_factory=list)

    def __enter__(self) -> CpuHogs:
        env = {**os.environ, MARKER_VARIABLE: self.marker}
        for _ in range(self.count):
            self.processes.append(
                subprocess.Popen([sys.executable, "-c", "while True: pass"], env=env)
            )
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.wait()
