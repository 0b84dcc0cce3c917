"""The ``govsim`` command: parses arguments, calls the public API, prints. No model logic here."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .errors import ScenarioError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _scenario_arg(parser: argparse.ArgumentParser, optional: bool) -> None:
    parser.add_argument(
        "scenario",
        nargs="?" if optional else None,
        help="scenario YAML file"
        + (" (default: the packaged Jiaxing scenario)" if optional else ""),
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override one scenario key, e.g. --set offices.county.staff=18 (repeatable)",
    )


def _load(args: argparse.Namespace):
    from .loader import load_scenario, packaged_default_path

    source = args.scenario if args.scenario else packaged_default_path()
    return load_scenario(source, args.overrides)


def _fmt(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def format_kpis(kpis: pd.DataFrame) -> str:
    """The KPI table as aligned text: mean, 95% interval, target and ✓/✗."""
    rows = [("KPI", "mean", "95% CI", "target", "")]
    for r in kpis.itertuples(index=False):
        ci = "" if math.isnan(r.ci_low) else f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]"
        target = "" if math.isnan(r.target) else _fmt(r.target)
        mark = "" if pd.isna(r.meets) else ("✓" if r.meets else "✗")
        rows.append((r.kpi, _fmt(r.mean), ci, target, mark))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [row[i].rjust(widths[i]) for i in (1, 2, 3)]
        lines.append("  ".join(cells) + ("  " + row[4] if row[4] else ""))
    return "\n".join(lines)


def _progress_bar(total: int, label: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=label, unit="rep", file=sys.stderr, leave=False)


def cmd_run(args: argparse.Namespace) -> int:
    from .experiment import run

    scenario = _load(args)
    replications = args.replications or scenario.replications
    with _progress_bar(replications, scenario.name) as bar:
        results = run(scenario, replications, args.seed, args.workers, progress=bar.update)
    out = Path(args.out) if args.out else Path("results") / scenario.name
    results.save(out)
    print(f"{scenario.name}: {replications} replications, seed {results.scenario.seed}")
    print(format_kpis(results.kpis))
    met = results.kpis["meets"].dropna()
    print(f"\ntargets met: {int(met.sum())} of {len(met)}    outputs: {out}/")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .city import build_city
    from .summary import scenario_summary

    scenario = _load(args)
    print(scenario_summary(scenario, build_city(scenario)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="govsim",
        description="Simulate a city's five-level dispute-resolution command system.",
    )
    parser.add_argument("--version", action="version", version=f"govsim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p_run = commands.add_parser("run", help="run a scenario and write its outputs")
    _scenario_arg(p_run, optional=True)
    p_run.add_argument("--replications", "-r", type=int, help="number of replications")
    p_run.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    p_run.add_argument("--workers", "-j", type=int, default=1, help="worker processes")
    p_run.add_argument("--out", "-o", help="output folder (default results/<name>/)")
    p_run.set_defaults(handler=cmd_run)

    p_check = commands.add_parser("check", help="validate a scenario and summarise it")
    _scenario_arg(p_check, optional=True)
    p_check.set_defaults(handler=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("replications", "workers"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            parser.error(f"--{name} must be at least 1, found {value}")
    try:
        return args.handler(args)
    except ScenarioError as error:
        print(f"govsim: error in scenario\n{error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("govsim: interrupted; no outputs were written", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
