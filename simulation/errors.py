"""The errors a user sees: a wrong scenario (where, what was expected, what was found), a result
folder that cannot be read or written, a failed replication."""

from __future__ import annotations

import difflib
import pickle
from collections.abc import Iterable
from typing import Any

from .i18n import text

MAX_SHOWN = 10
"""At most this many problems are printed; the rest are counted."""


def did_you_mean(word: Any, options: Iterable[str]) -> str | None:
    """The hint ``did you mean 'x'?`` naming the option closest to ``word``, or None."""
    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


class ScenarioError(Exception):
    """A bad scenario: the key at fault, where it was written, what was expected and found.

    ``str(error)`` is one human message per problem, e.g.
    ``scenarios/x.yaml:12: offices.county.stafff: expected a known key, found 'stafff'``
    followed by ``  did you mean 'staff'?``. When several problems were found at once the first
    is this error's own fields and the rest are in ``others`` (each a ``ScenarioError``).
    """

    def __init__(
        self,
        key: str,
        expected: str,
        found: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        from_set: bool = False,
        others: list[ScenarioError] | None = None,
    ) -> None:
        self.file = file
        self.key = key
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
        self.hint = hint
        self.from_set = from_set
        """True when the key's value came from an override (``--set``), not from a file."""
        self.others: list[ScenarioError] = list(others or [])
        super().__init__(self.message())

    @property
    def problems(self) -> list[ScenarioError]:
        """This problem and every further one, in order."""
        return [self, *self.others]

    @property
    def flag(self) -> str:
        """The command-line option an overridden key came from (``--set`` unless relabelled)."""
        return self.__dict__.get("_flag", "--set")

    def relabel(self, flag: str) -> ScenarioError:
        """Say that the overridden keys of this error (and of ``others``) came from ``flag``
        (e.g. ``--vary``, whose values are applied like ``--set``)."""
        for problem in self.problems:
            if problem.from_set:
                problem._flag = flag
        self.args = (self.message(),)
        return self

    def where(self, lang: str = "en") -> str:
        """``file:line:column`` as known, or ``(from --set)`` for an overridden key."""
        if self.from_set:
            return text("error.from_set", lang, flag=self.flag)
        if self.file is None:
            return ""
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        return place

    def message(self, lang: str = "en") -> str:
        """This one problem (not ``others``) as text, the hint on its own indented line.

        ``lang`` translates the fixed words ("expected …, found …"); what was expected and
        found is the loader's own text."""
        if self.from_set:
            from_flag = text("error.from_set", lang, flag=self.flag)
            head = f"{self.key} {from_flag}" if self.key else self.flag
        else:
            head = ": ".join(p for p in (self.where(lang), self.key) if p)
        body = text("error.expected_found", lang, expected=self.expected, found=self.found)
        body = f"{head}: {body}" if head else body
        if self.hint:
            body += f"\n  {self.hint}"
        return body

    def render(self, lang: str = "en") -> str:
        """Every problem (at most ``MAX_SHOWN``) in ``lang``, one message each."""
        problems = self.problems
        lines = [p.message(lang) for p in problems[:MAX_SHOWN]]
        if len(problems) > MAX_SHOWN:
            lines.append(text("error.more", lang, n=len(problems) - MAX_SHOWN))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def __reduce__(self):  # picklable despite the keyword-only arguments
        return _rebuild, (dict(self.__dict__),)

    def __repr__(self) -> str:
        return f"ScenarioError({self.message()!r}, others={len(self.others)})"


def _rebuild(state: dict) -> ScenarioError:
    error = ScenarioError.__new__(ScenarioError)
    error.__dict__.update(state)
    error.args = (error.message(),)
    return error


class ReplicationError(RuntimeError):
    """One replication failed: which scenario, which replication, which seed, and why.

    The original exception is ``__cause__`` (also ``original``), kept across process and Dask
    boundaries: it is pickled with this error (or, if it cannot be, replaced by a
    ``RuntimeError`` holding its text). Nothing else of the run is touched: no results are
    written, the pool is shut down, and the same scenario, seed and replication reproduce it.
    """

    def __init__(
        self, scenario: str, replication: int, seed: int, original: BaseException | None = None
    ) -> None:
        self.scenario = scenario
        self.replication = replication
        self.seed = seed
        self.original = original
        self.__cause__ = original
        reason = f"{type(original).__name__}: {original}" if original is not None else "failed"
        super().__init__(
            f"scenario {scenario!r}, replication {replication} (seed {seed}) failed: {reason}"
        )

    def __reduce__(self):
        original = self.original
        try:
            pickle.dumps(original)
        except Exception:
            original = RuntimeError(f"{type(original).__name__}: {original}")
        return ReplicationError, (self.scenario, self.replication, self.seed, original)


class OutputError(Exception):
    """An output or result folder that cannot be used: missing, not govsim's, holding another
    scenario's results, unreadable or not writable. A user error (``govsim`` exits with code 2,
    no traceback); the message names the folder or file and what to do."""
