"""Golden outputs: short runs of the packaged default and of one library scenario must write the
same ``kpis.csv``, ``cases.parquet``, ``offices.csv`` and ``daily.csv`` as when the digests in
``tests/golden.json`` were stored.

A refactoring must leave these digests alone. They change only on purpose (a model change that
is meant to move the numbers, stated in CHANGELOG.md); then rewrite them with

    python tests/test_golden.py --update
    GOVSIM_UPDATE_GOLDEN=1 pytest tests/test_golden.py      (the same, from pytest)

and say why in the commit. Every file is digested by content, not by bytes: the table read back,
its column types, and a canonical CSV with floats to 10 significant digits. pyarrow writes its
own version into a Parquet file, and numpy's vectorised sums may differ in the last bit between
processors (the digests of 2 Dec stopped matching on another machine with every KPI equal); a
model change moves far more than the 11th digit.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

import simulation
from simulation.cli import main

GOLDEN = Path(__file__).with_name("golden.json")
SCENARIOS = Path(simulation.__file__).parent / "scenarios"
SHORT = ["horizon_days=20", "warmup_days=5", "replications=2"]
RUNS: dict[str, Path | None] = {
    "default": None,  # the packaged default (govsim run with no scenario)
    "scattered-departments": SCENARIOS / "scattered-departments.yaml",
}
CSV_FILES = ("kpis.csv", "offices.csv", "daily.csv")
COMMENT = (
    "Digests of short runs (tests/test_golden.py). Update only on purpose, when a model change "
    "is meant to move the outputs: python tests/test_golden.py --update"
)


def table_digest(frame: pd.DataFrame) -> str:
    """The sha256 of a table's content: its column types, then a canonical CSV of its rows."""
    types = ",".join(f"{name}:{dtype}" for name, dtype in frame.dtypes.items())
    rows = frame.to_csv(index=False, lineterminator="\n", float_format="%.10g")
    return hashlib.sha256((types + "\n" + rows).encode("utf-8")).hexdigest()


def digests(out: Path) -> dict[str, str]:
    """The digests of one result folder."""
    found = {name: table_digest(pd.read_csv(out / name)) for name in CSV_FILES}
    found["cases.parquet"] = table_digest(pd.read_parquet(out / "cases.parquet"))
    return dict(sorted(found.items()))


def run_and_digest(name: str, root: Path) -> dict[str, str]:
    """``govsim run [SCENARIO] --set ... --out DIR`` for one golden run, and its digests."""
    out = root / name
    scenario = RUNS[name]
    argv = ["run", *([str(scenario)] if scenario else [])]
    for setting in SHORT:
        argv += ["--set", setting]
    assert main([*argv, "--out", str(out)]) == 0
    return digests(out)


def stored() -> dict[str, dict[str, str]]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))["runs"]


def write(runs: dict[str, dict[str, str]]) -> None:
    """Store the digests of ``runs`` in ``golden.json`` (on purpose only: see the docstring)."""
    known = stored() if GOLDEN.exists() else {}
    data = {"_comment": COMMENT, "settings": SHORT, "runs": {**known, **runs}}
    GOLDEN.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def update() -> None:
    """Rewrite ``golden.json`` from fresh runs of every golden scenario."""
    with tempfile.TemporaryDirectory() as root:
        write({name: run_and_digest(name, Path(root)) for name in RUNS})
    print(f"rewrote {GOLDEN}")


@pytest.mark.parametrize("name", list(RUNS))
def test_outputs_match_the_stored_digests(name, tmp_path):
    found = run_and_digest(name, tmp_path)
    if os.environ.get("GOVSIM_UPDATE_GOLDEN"):
        write({name: found})
    expected = stored()[name]
    changed = [f for f in expected if found.get(f) != expected[f]]
    assert not changed, (
        f"{name}: {', '.join(changed)} differ from tests/golden.json; if the model change is "
        "meant to move the outputs, run `python tests/test_golden.py --update` and say why"
    )


def test_the_digest_reads_content_not_file_bytes(tmp_path):
    frame = pd.DataFrame({"a": [1, 2], "b": pd.Categorical(["x", "y"])})
    frame.to_parquet(tmp_path / "one.parquet", index=False)
    frame.to_parquet(tmp_path / "two.parquet", index=False, compression="gzip")
    one = table_digest(pd.read_parquet(tmp_path / "one.parquet"))
    assert one == table_digest(pd.read_parquet(tmp_path / "two.parquet"))
    assert one != table_digest(frame.astype({"b": "object"}))  # the types count too


def test_the_digest_ignores_the_last_bits_of_a_float_but_not_a_real_change():
    base = pd.DataFrame({"x": [0.1 + 0.2, 1 / 3]})
    assert table_digest(base) == table_digest(pd.DataFrame({"x": [0.3, 0.3333333333333333]}))
    assert table_digest(base) != table_digest(pd.DataFrame({"x": [0.3, 0.33333334]}))


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_golden.py --update   (rewrites tests/golden.json)")
    update()
