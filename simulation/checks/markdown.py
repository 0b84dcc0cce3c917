"""The validation suite's report as text (``govsim validate``) and as Markdown
(``docs/validation.md``): the method, then one table per check family."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from scipy import stats

from ..formats import significant, text_table
from .harness import BAND_CONFIDENCE, WARMUP_RELAXATIONS, Check


def _rel(error: float, theory: float) -> str:
    return f"{error:+.2%}" if theory != 0 else f"{error:+.2g}"


def format_table(table: pd.DataFrame) -> str:
    """Aligned text: check, metric, simulated [95% CI], theory, relative error, ✓/✗."""
    _num = significant
    rows = [("check", "metric", "simulated", "95% CI", "theory", "rel.err", "")]
    for r in table.itertuples(index=False):
        rows.append(
            (
                r.check,
                r.metric,
                _num(r.simulated),
                f"[{_num(r.ci_low)}, {_num(r.ci_high)}]",
                _num(r.theory),
                _rel(r.rel_error, r.theory),
                "✓" if r.passed else "✗ FAIL",
            )
        )
    return text_table(rows, left=2, trailing=1)


FULL_SUITE_SIZE = 161
"""Quantities compared by the full suite (a slow test keeps this in step)."""

METHOD = """\
## Method

Each check runs a small scenario whose answer is known, for 10 replications, and compares one
number per replication with the theory.

- **Reported interval** (`ci_low`, `ci_high`): the two-sided 95% Student-t interval of the mean
  over replications (as in `kpis.csv`).
- **Pass/fail**: the theory must lie inside the *acceptance band* (`band_low`, `band_high`):
  the {band:.1%} Student-t interval over the same replications, widened on each side by a bias
  tolerance `tol × |theory|` (plus 1e-12 for quantities that are exactly 0 or 1 in every
  replication). No check is loosened by hand: every tolerance follows one of the rules below.
- **Why {band:.1%} and not 95%** (replications): the full suite compares {n_full} quantities.
  At 95% a correct engine would fail about {expected95:.0f} of them by chance; at {band:.1%}
  the expected number of chance failures over the whole suite is {expected999:.2f} (Bonferroni).
  With 10 replications (9 degrees of freedom) the band is {widen:.2f}× the 95% half-width.
- **Bias tolerance** (horizon): a replication starts empty, and the counted window cuts off
  what is in progress at both ends. Every queueing check warms up for at least {warm}
  relaxation times τ = 1/(cμ(1 − √ρ)²) of its slowest queue (the start bias decays like
  e^(−t/τ) and is negligible after that), and the end effects are of order τ/T for a counted
  horizon of T hours. So `tol = max(floor, τ/T)`, doubled for mean waits (a ratio estimator
  over the handlings *started* in the window); `floor` is 1% for rates, shares, utilisations
  and counts, and 2% for priority sojourns and Little's law (two-stage estimators).
  Erlang-A (12345 centre): at least 30,000 calls a replication (full: 60,000) after a
  one-day warm-up; its relaxation time is minutes, so the floors apply.
  Horizons: Erlang C at least 300 τ and 30,000 cases a replication (quick: 100 τ, 15,000),
  Jackson trees at least 100 τ and 50,000 cases (quick: 50 τ, 20,000), priority queues at
  least 300 τ and 100,000 cases (quick: 100 τ, 30,000). At these horizons τ/T ≤ 2%, and for
  most checks the floor applies.
- **Power**: the resulting 95% half-widths (table) are under 1% of the value for half the
  quantities and under 3% for three quarters, so an engine error of a few per cent in a rate,
  a utilisation, a count or a low-level wait fails. The weakest are the mean waits at the
  county and city offices of the Jackson trees (a few offices fed by thin flows) and of
  lightly loaded many-server queues: ±8–14%, so there only errors of ~20% or more are caught.
  `tests/test_validation.py` proves that checks fail by breaking the engine on purpose
  (severity priority ignored, handling times doubled, the lunch break dropped from the
  calendar, patience ignored, 12345 callers who never hang up) and watching the relevant
  checks fail.
- **Estimators**: mean wait = `wait_hours_L` (mean queue wait per handling started at that
  level in the counted window, from `offices.csv`); probability of waiting = share of counted
  cases with `wait_hours` > 0 (exactly 0 when served on arrival; in a city of one grid where
  only the grid handles, each case is one handling); utilisation = busy staff-hours over
  available staff-hours; arrivals = queue entries a day; `resolved_at_L` over all counted
  cases; sojourn = `wait_hours` + `handling_hours`. Queueing checks use `drain: true`, so every
  counted case closes and no share is censored; the calendar check (overloaded, it never
  drains) uses `drain: false`. Little's law: the time-average number waiting is estimated by
  the mean of the end-of-day `queue` samples in `daily.csv` over the counted days (always-open
  calendar, so midnight is an arbitrary instant; queues relax within hours, so the daily samples
  are nearly independent), paired by replication with λ̂·Ŵ (queue entries a day ÷ 24 ×
  `wait_hours_L`); its interval is that of the per-replication difference.
- **Seeds**: every check derives its own seed from the suite seed and its name, so a check's
  numbers do not depend on which other checks run; `--seed` reruns the suite on other streams.
"""


def render_markdown(table: pd.DataFrame, quick: bool, seed: int, checks: Sequence[Check]) -> str:
    """``docs/validation.md``: the result, the method, then a table per family of ``checks``
    (in their order) that has rows in ``table``."""
    _num = significant
    n_full = FULL_SUITE_SIZE
    t95 = stats.t.ppf(0.975, 9)
    t_band = stats.t.ppf(0.5 + BAND_CONFIDENCE / 2, 9)
    passed = bool(table["passed"].all())
    lines = [
        "# Validation",
        "",
        "<!-- generated: do not edit by hand -->",
        "Generated by `govsim validate --out docs`"
        + (" --quick" if quick else "")
        + f" (seed {seed}); regenerate with that command. The quick subset "
        "(`govsim validate --quick`) runs in under a minute; `simulation.validate()` is the "
        "same in Python.",
        "",
        f"**Result: {int(table['passed'].sum())} of {len(table)} quantities pass"
        + (".**" if passed else f"; {int((~table['passed']).sum())} FAIL.**"),
        "",
        METHOD.format(
            band=BAND_CONFIDENCE,
            n_full=n_full,
            expected95=0.05 * n_full,
            expected999=(1 - BAND_CONFIDENCE) * n_full,
            widen=t_band / t95,
            warm=WARMUP_RELAXATIONS,
        ),
    ]
    by_family: dict[str, list] = {}
    for r in table.itertuples(index=False):
        by_family.setdefault(r.check.split("/")[0], []).append(r)
    for check in checks:
        rows = by_family.get(check.name)
        if not rows:
            continue
        lines += [f"## {check.title}", "", check.description, ""]
        lines.append(
            "| check | quantity | simulated | 95% CI | theory | rel. error | band | pass |"
        )
        lines.append("|---|---|---:|---|---:|---:|---|:---:|")
        for r in rows:
            lines.append(
                f"| {r.check} | {r.metric} | {_num(r.simulated)} | "
                f"[{_num(r.ci_low)}, {_num(r.ci_high)}] | {_num(r.theory)} | "
                f"{_rel(r.rel_error, r.theory)} | "
                f"[{_num(r.band_low)}, {_num(r.band_high)}] | {'✓' if r.passed else '✗'} |"
            )
        lines.append("")
    return "\n".join(lines)
