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

import os
from collections.abc import Hashable, Iterable, Iterator
from typing import Any

from ..errors import ReplicationError
from ..scenario.schema import Scenario
from .executor_base import (
    Executor,
    SerialExecutor,
    Task,
    _failed,
    run_task,
)
from .process_pool import ProcessExecutor, _sigint_ignored

__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SerialExecutor",
    "Task",
    "make_executor",
    "run_task",
]

EXECUTORS: tuple[str, ...] = ("serial", "processes", "dask")

DASK_RETRIES = 2
"""Times Dask reruns a task that raised (a transient failure on a worker). A task whose worker
died is rescheduled by the scheduler itself (``distributed.scheduler.allowed-failures``)."""


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
