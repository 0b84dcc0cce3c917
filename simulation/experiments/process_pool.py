"""The local process pool: one worker process per CPU, each watching its parent (it dies with
it), fed tasks over pipes; a dead worker or Ctrl-C stops the pool cleanly."""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Hashable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from ..errors import ReplicationError
from .executor_base import (
    Executor,
    Task,
    _failed,
    _picklable,
    run_task,
)

PARENT_WATCH_SECONDS = 0.5
"""How often a pool worker checks that the process that started it is still alive."""

TERMINATE_GRACE_SECONDS = 3.0
"""How long stopped workers get to exit after SIGTERM before they are killed with SIGKILL."""

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class WorkerDied(RuntimeError):
    """A pool worker process ended while it held a replication (killed, out of memory...)."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a pool worker, as text (tracebacks do not
    pickle); hung under the original exception so ``--debug`` shows where it happened."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


def _die_with_parent(parent: int | None, kernel_signal: bool) -> None:
    """Make this pool worker end when its parent does, whatever it is doing at the time.

    On Linux the kernel sends SIGKILL at the parent's death (``PR_SET_PDEATHSIG``; asked for
    only when the pool is started from the main thread, since the signal follows the thread
    that forked). Everywhere, a daemon thread polls ``os.getppid()`` and exits the process once
    it has been re-parented; ``os._exit`` works even while the main thread is blocked in a
    ``write()``. (A worker also exits when its task pipe reports end-of-file.)
    """
    if parent is None:  # not forked by the pool's owner (spawn, forkserver): the one we have
        parent = os.getppid()
    elif os.getppid() != parent:  # the parent died before this worker got here
        os._exit(1)
    if kernel_signal and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_WATCH_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="govsim-parent-watch", daemon=True).start()


def _worker_main(
    tasks: Connection,
    results: Connection,
    inherited: list[Connection],
    parent: int | None,
    kernel_signal: bool,
) -> None:
    """A pool worker: run the tasks received on ``tasks``, send each outcome on ``results``.

    The worker leaves Ctrl-C to its parent (a terminal sends it to the whole process group),
    restores the default SIGTERM action (a forked worker inherits the CLI's handler, which
    would turn ``terminate()`` into an exception to send back), closes the pipe ends of other
    workers it inherited by forking (so each pipe has one reader and one writer: a dead end is
    seen as end-of-file, never a ``write()`` blocked for ever) and dies with its parent.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for connection in inherited:
        connection.close()
    _die_with_parent(parent, kernel_signal)
    while True:
        try:
            message = tasks.recv()
        except (EOFError, OSError):  # the parent is gone
            os._exit(0)
        if message is None:
            return
        number, function, scenario, replication = message
        try:
            outcome = (number, True, run_task(function, scenario, replication), None)
        except Exception as error:
            outcome = (number, False, error, traceback.format_exc())
        try:
            results.send(outcome)  # pickles first: a result that cannot be pickled sends nothing
        except (BrokenPipeError, EOFError, ConnectionError):
            os._exit(0)
        except Exception as error:
            results.send((number, False, _picklable(error), traceback.format_exc()))


@contextlib.contextmanager
def _sigint_ignored():
    """Ignore SIGINT while child processes start (main thread only; a no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _signals_deferred():
    """Hold back Ctrl-C and SIGTERM while pool workers are forked, then deliver them.

    An interruption between ``fork()`` and the pool recording the new process would leave a
    worker nobody terminates. Inside this block the two signals are only noted; on leaving it
    the first one noted goes to the handler that was in place (main thread only).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[tuple[int, Any]] = []
    previous = {}

    def note(signum: int, frame: Any) -> None:
        noted.append((signum, frame))

    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, note)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if noted:
            signum, frame = noted[0]
            handler = previous[signum]
            if callable(handler):
                handler(signum, frame)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


class _Worker:
    """One worker process and this side's ends of its two pipes."""

    def __init__(self, process, tasks: Connection, results: Connection) -> None:
        self.process = process
        self.tasks = tasks
        self.results = results
        self.task: int | None = None
        """The number of the task it is running (None when idle)."""


class ProcessExecutor(Executor):
    """A local pool of ``workers`` processes that never outlives the run.

    Each worker has its own task pipe and result pipe, each end held by one process only, so
    a worker killed half-way through sending a result is seen at once (end-of-file: the task
    it held fails as a ``ReplicationError``) and a worker whose parent is gone cannot block
    writing into a pipe nobody reads (see ``_worker_main`` and ``_die_with_parent``). Tasks go
    one at a time to idle workers; there is no manager thread, so Ctrl-C or SIGTERM in the
    parent interrupts the wait for results directly. On an interruption or a failure every
    worker is terminated, and killed if it is still alive after ``TERMINATE_GRACE_SECONDS``.
    """

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._pool: list[_Worker] = []

    def start(self) -> ProcessExecutor:
        with _signals_deferred():  # a worker forked but not yet recorded would be missed
            self._ensure()
        return self

    def _ensure(self) -> list[_Worker]:
        if not self._pool:
            context = multiprocessing.get_context()
            forked = context.get_start_method() == "fork"
            main = threading.current_thread() is threading.main_thread()
            parent = os.getpid() if forked else None
            try:
                for _ in range(self.workers):
                    their_tasks, our_tasks = context.Pipe(duplex=False)
                    our_results, their_results = context.Pipe(duplex=False)
                    inherited = []
                    if forked:  # the child gets copies of every end this process holds
                        inherited = [our_tasks, our_results]
                        for w in self._pool:
                            inherited += [w.tasks, w.results]
                    process = context.Process(
                        target=_worker_main,
                        args=(their_tasks, their_results, inherited, parent, main),
                        name=f"govsim-worker-{len(self._pool) + 1}",
                        daemon=True,
                    )
                    process.start()
                    their_tasks.close()
                    their_results.close()
                    self._pool.append(_Worker(process, our_tasks, our_results))
            except BaseException:
                self._terminate()
                raise
        return self._pool

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[tuple[Hashable, Any]]:
        todo = collections.deque(enumerate(tasks))
        about = dict(todo)
        try:
            with _signals_deferred():
                pool = self._ensure()
            self._dispatch(pool, todo, about)
            while busy := [w for w in pool if w.task is not None]:
                ready = set(
                    multiprocessing.connection.wait(
                        [w.results for w in busy] + [w.process.sentinel for w in busy]
                    )
                )
                finished = [
                    self._receive(w, about)
                    for w in busy
                    if w.results in ready or w.process.sentinel in ready
                ]
                self._dispatch(pool, todo, about)  # workers go on while results are handed over
                # several may finish together: hand them over in submission order
                for number, result in sorted(finished, key=lambda item: item[0]):
                    yield about[number][0], result
        except BaseException:
            self._terminate()
            raise

    def _dispatch(self, pool: list[_Worker], todo: collections.deque, about: dict) -> None:
        """Give the next tasks to idle workers, one each."""
        for worker in pool:
            if worker.task is None and todo:
                number, (_, function, scenario, replication) = todo.popleft()
                worker.task = number
                try:
                    worker.tasks.send((number, function, scenario, replication))
                except (BrokenPipeError, ConnectionError, EOFError) as error:
                    raise self._died(worker, about) from error

    def _receive(self, worker: _Worker, about: dict[int, Task]) -> tuple[int, Any]:
        """The outcome the worker sent (a result, or its failure raised here)."""
        try:
            if not worker.results.poll():
                raise WorkerDied(f"exit code {worker.process.exitcode}")
            number, ok, value, remote = worker.results.recv()
        except (EOFError, OSError, WorkerDied) as error:
            raise self._died(worker, about) from error
        worker.task = None
        if ok:
            return number, value
        if isinstance(value, ReplicationError):
            if remote and value.original is not None:
                value.original.__cause__ = RemoteTraceback(remote)
            raise value
        _, _, scenario, replication = about[number]
        raise _failed(value, scenario, replication)

    def _died(self, worker: _Worker, about: dict[int, Task]) -> ReplicationError:
        """The replication a dead worker held, as a ``ReplicationError``."""
        worker.process.join(timeout=TERMINATE_GRACE_SECONDS)
        code = worker.process.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
        _, _, scenario, replication = about[worker.task]
        return _failed(WorkerDied(f"the worker process ended ({how})"), scenario, replication)

    def _terminate(self) -> None:
        """Stop at once (after Ctrl-C, SIGTERM or a failure): SIGTERM every worker, SIGKILL
        any still alive after the grace period, close the pipes."""
        pool, self._pool = self._pool, []
        for worker in pool:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                worker.process.terminate()
        deadline = time.monotonic() + TERMINATE_GRACE_SECONDS
        for worker in pool:
            with contextlib.suppress(OSError, ValueError, AssertionError):
                worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
        for worker in pool:
            with contextlib.suppress(OSError, ValueError, AssertionError, AttributeError):
                if worker.process.is_alive():
                    worker.process.kill()
                worker.process.join(timeout=TERMINATE_GRACE_SECONDS)
            _close(worker)

    def close(self) -> None:
        """Ask idle workers to stop and wait for them (a stuck one is killed)."""
        pool, self._pool = self._pool, []
        for worker in pool:
            with contextlib.suppress(OSError, ValueError):
                worker.tasks.send(None)
        deadline = time.monotonic() + TERMINATE_GRACE_SECONDS
        for worker in pool:
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
        self._pool = pool
        self._terminate()  # nothing left to stop unless a worker did not exit

    def describe(self) -> str:
        return f"processes ({self.workers} workers)"


def _close(worker: _Worker) -> None:
    for connection in (worker.tasks, worker.results):
        with contextlib.suppress(OSError):
            connection.close()
