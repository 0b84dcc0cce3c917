"""The building blocks of every scenario section: a frozen base model and its one error.

``invalid`` is how every check in the schema reports a problem; ``messages.py`` reads its
context (expected, found, the key at fault and a hint) to word the ``ScenarioError``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

__all__ = [
    "SHARE_TOLERANCE",
    "Count",
    "NonNegative",
    "Positive",
    "Probability",
    "Spec",
    "check_shares",
    "invalid",
]

Probability = Annotated[float, Field(ge=0, le=1)]
NonNegative = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Count = Annotated[int, Field(ge=1)]

SHARE_TOLERANCE = 1e-6


class Spec(BaseModel):
    """Base of every scenario section: unknown keys are errors and values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def invalid(
    expected: str, found: str, at: str | tuple[str, ...] | None = None, hint: str | None = None
) -> PydanticCustomError:
    """A validation error reading "expected …, found …" (a ``ValueError``).

    ``at`` is the key path, relative to the model being validated, of the key at fault (a model
    validator would otherwise blame the whole section): dotted text, or a tuple when a key may
    itself hold a dot (an office name). ``hint`` is a line like "did you mean …". The loader
    reads them from the error's context to name the key and its line.
    """
    context: dict[str, Any] = {"expected": expected, "found": found}
    if at is not None:
        context["at"] = at
    if hint is not None:
        context["hint"] = hint
    return PydanticCustomError("value_error", "expected {expected}, found {found}", context)


def check_shares(shares: dict[str, float], what: str, at: str | None = None) -> None:
    total = sum(shares.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise invalid(f"{what} summing to 1", f"a sum of {total:g}", at)
