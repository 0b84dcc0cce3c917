"""What every executor shares: a task, the one function that runs a replication and turns
its failure into a ``ReplicationError``, the ``Executor`` interface and the serial executor."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any

from ..errors import ReplicationError
from ..scenario.schema import Scenario

Task = tuple[Hashable, Callable[[Scenario, int], Any], Scenario, int]
"""``(key, function, scenario, replication)``: the result is ``function(scenario, replication)``."""


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
