"""``govsim sweep``: run a resumable grid of scenario variants."""

from __future__ import annotations

import argparse
import sys

from . import common

HELP = "run a grid of scenario variants (resumable)"
DESCRIPTION = (
    "Run every combination of the --vary values, each point replicated with "
    "the same seeds (common random numbers). Finished points are stored under the output "
    "folder; running the same sweep again reuses them."
)


def add(commands) -> None:
    parser = common.add_command(commands, "sweep", HELP, DESCRIPTION)
    common.scenario_arg(parser, optional=False)
    parser.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="KEY=V1,V2,...|KEY=START:STOP:STEP",
        help="a key and its values, e.g. --vary offices.town.staff=3,5,8 or "
        "--vary offices.county.staff=10:20:2 (STOP included; repeatable: full grid)",
    )
    parser.add_argument("--replications", "-r", type=int, help="replications per point")
    parser.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    parser.add_argument("--out", "-o", help="output folder (default results/sweep-<name>/)")
    common.force_option(parser)
    parser.add_argument(
        "--kpi", action="append", help="KPI to print (repeatable; sweep.csv has all)"
    )
    common.executor_options(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..experiments.sweep import parse_vary, sweep
    from ..outputs.text import format_sweep

    scenario = common.load(args)
    try:
        axes = dict(parse_vary(text) for text in args.vary)
    except ValueError as error:
        print(f"govsim: {error}", file=sys.stderr)
        return common.EXIT_USAGE
    if len(axes) != len(args.vary):
        print("govsim: each --vary key may appear only once", file=sys.stderr)
        return common.EXIT_USAGE
    out = common.out_folder(args, scenario, prefix="sweep-")
    common.check_out(out)
    stored = []
    try:
        result = sweep(
            scenario,
            axes,
            replications=args.replications,
            seed=args.seed,
            out=out,
            progress=True,
            on_point=stored.append,
            force=args.force,
            **common.executor_kwargs(args),
        )
    except KeyboardInterrupt:
        print(
            f"govsim: interrupted; {len(stored)} finished point(s) are stored in {out}/points/ "
            "and the same command resumes the sweep",
            file=sys.stderr,
        )
        return common.EXIT_INTERRUPTED
    n = len(result.points)
    print(
        f"{scenario.name}: {n} points x {result.points[0].scenario.replications} replications, "
        f"seed {result.points[0].scenario.seed}; reused {result.reused} stored point(s), "
        f"ran {result.computed}"
    )
    print(format_sweep(result, args.kpi, common.language(args, scenario.language)))
    print(f"\noutputs: {common.where(out, args)} (sweep.csv)")
    return 0
