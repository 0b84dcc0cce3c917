"""Where replications run: in this process, on a local process pool, or on a Dask cluster.

Every executor takes tasks ``(key, function, scenario, replication)`` and yields
``(key, result)`` as tasks finish. A task is a pure function of the scenario and the replication
index (the random streams come from ``SeedSequence(seed, spawn_key=(replication, purpose))``),
so which executor ran it, and in which order tasks finished, never changes a result: callers put
results back in replication order, and serial, process-pool and Dask runs write the same bytes.

An executor is a context manager; entering it starts the pool or connects to the cluster once,
so a comparison or a sweep pays that cost once for all its replications::

    with make_executor("dask", workers=4) as ex:      # LocalCluster with 4 worker processes
        results = simulation.run(scenario, executor=ex)
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Hashable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from ..errors import ReplicationError
from ..scenario.schema import Scenario

__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SerialExecutor",
    "Task",
    "make_executor",
]

EXECUTORS: tuple[str, ...] = ("serial", "processes", "dask")

Task = tuple[Hashable, Callable[[Scenario, int], Any], Scenario, int]
"""``(key, function, scenario, replication)``: the result is ``function(scenario, replication)``."""


DASK_RETRIES = 2
"""Times Dask reruns a task that raised (a transient failure on a worker). A task whose worker
died is rescheduled by the scheduler itself (``distributed.scheduler.allowed-failures``)."""


def run_task(function: Callable[[Scenario, int], Any], scenario: Scenario, replication: int) -> Any:
    """The one place a replication runs, whatever the executor: a failure becomes a
    ``ReplicationError`` naming the scenario, the replication and the seed."""
    try:
        return function(scenario, replication)
    except ReplicationError:
        raise
    except Exception as error:
        failure = error
    # raised outside the except block (no __context__) with a cause that survives pickling,
    # so the error crosses a process or Dask boundary whatever pickling support is installed
    original = _picklable(failure)
    raise ReplicationError(scenario.name, replication, scenario.seed, original) from original


def _picklable(error: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        stand_in = RuntimeError(f"{type(error).__name__}: {error}")
        stand_in.__traceback__ = error.__traceback__
        return stand_in
    return error


def _failed(error: BaseException, scenario: Scenario, replication: int) -> ReplicationError:
    """A failure outside the task (a worker process killed, a lost Dask worker) as a
    ``ReplicationError`` for the replication it hit."""
    if isinstance(error, ReplicationError):
        return error
    return ReplicationError(scenario.name, replication, scenario.seed, error)


class Executor:
    """Base class: runs tasks and yields ``(key, result)`` as they finish."""

    name = "executor"
    workers = 1

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> Executor:
        """Start the pool or connect to the cluster now (otherwise the first tasks do)."""
        return self

    def close(self) -> None:
        """Release the pool or cluster (idempotent)."""

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[tuple[Hashable, Any]]:
        raise NotImplementedError

    def describe(self) -> str:
        return self.name


class SerialExecutor(Executor):
    """Runs every task in this process, in the order given."""

    name = "serial"

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[tuple[Hashable, Any]]:
        for key, function, scenario, replication in tasks:
            yield key, run_task(function, scenario, replication)


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


class DaskExecutor(Executor):
    """Tasks on a ``dask.distributed`` cluster.

    With ``scheduler`` (``"tcp://host:8786"``) it connects to a running scheduler, whose workers
    must have this package installed; without one it starts a ``LocalCluster`` of ``workers``
    single-threaded worker processes (the engine is pure Python: threads would share one GIL).
    """

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError as error:  # pragma: no cover - dask is a dependency
            raise RuntimeError(
                'the dask executor needs dask.distributed: pip install "dask[distributed]"'
            ) from error
        self.scheduler = scheduler
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._client = None
        self._cluster = None

    def _ensure(self):
        if self._client is None:
            from distributed import Client, LocalCluster

            if self.scheduler:
                self._client = Client(self.scheduler)
                self.workers = max(1, sum(self._client.nthreads().values()))
            else:
                # Worker processes inherit an ignored SIGINT, so Ctrl-C reaches only this
                # process, which cancels the tasks and closes the cluster in order.
                with _sigint_ignored():
                    self._cluster = LocalCluster(
                        n_workers=self.workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",
                    )
                self._client = Client(self._cluster)
        return self._client

    def start(self) -> DaskExecutor:
        """Start the cluster or connect now, and count its workers."""
        self._ensure()
        return self

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[tuple[Hashable, Any]]:
        from distributed import as_completed

        client = self._ensure()
        keys: dict[str, Hashable] = {}
        futures = []
        order: dict[str, int] = {}
        about: dict[str, tuple[Scenario, int]] = {}
        try:
            for key, function, scenario, replication in tasks:
                future = client.submit(
                    run_task, function, scenario, replication, pure=False, retries=DASK_RETRIES
                )
                keys[future.key] = key
                order[future.key] = len(futures)
                about[future.key] = (scenario, replication)
                futures.append(future)
            for batch in as_completed(futures).batches():
                for future in sorted(batch, key=lambda f: order[f.key]):
                    try:
                        result = future.result()
                    except ReplicationError:
                        raise
                    except Exception as error:  # e.g. KilledWorker after repeated worker loss
                        raise _failed(error, *about[future.key]) from error
                    future.release()
                    yield keys[future.key], result
        except BaseException:
            client.cancel(futures)
            raise

    def close(self) -> None:
        client, self._client = self._client, None
        cluster, self._cluster = self._cluster, None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def describe(self) -> str:
        where = self.scheduler or "LocalCluster"
        return f"dask ({where}, {self.workers} workers)"


def make_executor(
    executor: str | Executor | None = None,
    workers: int | None = 1,
    scheduler: str | None = None,
) -> Executor:
    """An executor by name (``serial``, ``processes``, ``dask``), or ``executor`` itself.

    Without a name: ``dask`` when a scheduler address is given, ``processes`` when ``workers``
    is above 1, else ``serial``. ``workers=None`` means one per CPU (for a pool or a
    ``LocalCluster``); with a scheduler address the cluster's own workers are used.
    """
    if isinstance(executor, Executor):
        return executor
    if executor is None:
        if scheduler:
            executor = "dask"
        elif workers is not None and workers > 1:
            executor = "processes"
        else:
            executor = "serial"
    if executor == "serial":
        return SerialExecutor()
    if executor == "processes":
        return ProcessExecutor(workers)
    if executor == "dask":
        return DaskExecutor(workers, scheduler)
    raise ValueError(f"unknown executor {executor!r}: expected one of {', '.join(EXECUTORS)}")
