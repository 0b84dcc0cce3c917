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

import contextlib
import os
import pickle
import signal
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
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


def _ignore_sigint() -> None:
    """Pool workers leave Ctrl-C to the parent, which cancels the pool cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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


class ProcessExecutor(Executor):
    """A local pool of ``workers`` processes (``concurrent.futures``)."""

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def _ensure(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_ignore_sigint)
        return self._pool

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[tuple[Hashable, Any]]:
        pool = self._ensure()
        pending: dict[Future, tuple[int, Hashable]] = {}
        about: dict[Future, tuple[Scenario, int]] = {}
        try:
            for key, function, scenario, replication in tasks:
                future = pool.submit(run_task, function, scenario, replication)
                pending[future] = (len(pending), key)
                about[future] = (scenario, replication)
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                # several may finish together: hand them over in submission order
                for future in sorted(done, key=lambda f: pending[f][0]):
                    _, key = pending.pop(future)
                    try:
                        result = future.result()
                    except ReplicationError as error:
                        # concurrent.futures made the worker's traceback the cause: hang it
                        # under the original exception instead, which stays the cause
                        remote = error.__cause__
                        if error.original is not None and remote is not error.original:
                            error.original.__cause__ = remote
                            error.__cause__ = error.original
                        raise
                    except Exception as error:  # e.g. BrokenProcessPool: a worker was killed
                        raise _failed(error, *about[future]) from error
                    yield key, result
        except BaseException:
            for future in pending:
                future.cancel()
            self._terminate()
            raise

    def _terminate(self) -> None:
        """Stop at once (after Ctrl-C or an error): cancel queued tasks, end the workers."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> str:
        return f"processes ({self.workers} workers)"


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
