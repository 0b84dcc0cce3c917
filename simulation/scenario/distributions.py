"""Handling-time distributions: validated parameters and an inverse CDF.

Every random handling time is drawn as ``dist.ppf(u)`` from a uniform ``u`` drawn when the case
is created. Inverse-transform sampling keeps common random numbers tight: the same citizen keeps
the same quantile of handling time when a scenario changes a distribution's parameters.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import stats


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @property
    def mean_value(self) -> float:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


class Exponential(_Dist):
    dist: Literal["exponential"]
    mean: float = Field(gt=0)

    @property
    def mean_value(self) -> float:
        return self.mean

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return -self.mean * np.log1p(-u)


class LogNormal(_Dist):
    """Parametrised by the mean and standard deviation of the time itself, not of its log."""

    dist: Literal["lognormal"]
    mean: float = Field(gt=0)
    sd: float = Field(gt=0)

    @property
    def mean_value(self) -> float:
        return self.mean

    def ppf(self, u: np.ndarray) -> np.ndarray:
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        mu = math.log(self.mean) - sigma2 / 2
        return np.exp(mu + math.sqrt(sigma2) * stats.norm.ppf(u))


class Gamma(_Dist):
    dist: Literal["gamma"]
    mean: float = Field(gt=0)
    sd: float = Field(gt=0)

    @property
    def mean_value(self) -> float:
        return self.mean

    def ppf(self, u: np.ndarray) -> np.ndarray:
        shape = (self.mean / self.sd) ** 2
        return stats.gamma.ppf(u, shape, scale=self.sd**2 / self.mean)


class Triangular(_Dist):
    dist: Literal["triangular"]
    low: float = Field(ge=0)
    mode: float = Field(ge=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError(
                f"needs low <= mode <= high and low < high, "
                f"found low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self

    @property
    def mean_value(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def ppf(self, u: np.ndarray) -> np.ndarray:
        a, c, b = self.low, self.mode, self.high
        cut = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < cut, left, right)


class Uniform(_Dist):
    dist: Literal["uniform"]
    low: float = Field(ge=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low > self.high:
            raise ValueError(f"needs low <= high, found low={self.low}, high={self.high}")
        return self

    @property
    def mean_value(self) -> float:
        return (self.low + self.high) / 2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + u * (self.high - self.low)


class Fixed(_Dist):
    dist: Literal["fixed"]
    value: float = Field(gt=0)

    @property
    def mean_value(self) -> float:
        return self.value

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.value, dtype=float)


class Empirical(_Dist):
    """Resamples the listed observations with equal weight."""

    dist: Literal["empirical"]
    values: list[Annotated[float, Field(gt=0)]] = Field(min_length=1)

    @property
    def mean_value(self) -> float:
        return float(np.mean(self.values))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        values = np.sort(np.asarray(self.values, dtype=float))
        index = np.minimum((u * len(values)).astype(np.int64), len(values) - 1)
        return values[index]


Distribution = Annotated[
    Exponential | LogNormal | Gamma | Triangular | Uniform | Fixed | Empirical,
    Field(discriminator="dist"),
]
