"""``govsim optimise``: the least staff cost that meets every target with confidence."""

from __future__ import annotations

import argparse
import sys

from ..i18n import text
from . import common

HELP = "least staff cost meeting every target with confidence (resumable)"
DESCRIPTION = (
    "Search staff counts (--vary KEY=LOW..HIGH) for the least staff_cost (or staff) such that "
    "every city and county target is met with one-sided --confidence; Erlang C lower bound, "
    "greedy marginal allocation, local search, then verification on fresh seeds "
    "(docs/experiments.md)."
)


def add(commands) -> None:
    parser = common.add_command(commands, "optimise", HELP, DESCRIPTION)
    common.scenario_arg(parser, optional=True)
    parser.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="KEY=LOW..HIGH",
        help="a staff count and its bounds: offices.town.staff=2..10 or "
        "offices.overrides.Pinghu.staff=10..40 (repeatable)",
    )
    parser.add_argument("--objective", choices=["staff_cost", "staff"], default="staff_cost")
    parser.add_argument("--confidence", type=float, default=0.95, help="one-sided (0.95)")
    parser.add_argument("--replications", "-r", type=int, help="replications per point")
    parser.add_argument(
        "--verify-replications",
        type=int,
        help="replications of the check on fresh seeds (default: twice -r)",
    )
    parser.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    parser.add_argument("--out", "-o", help="output folder (default results/optimise-<name>/)")
    common.executor_options(parser)
    parser.set_defaults(handler=handle, force=False)


def handle(args: argparse.Namespace) -> int:
    from ..experiments.optimise import optimise, parse_variable
    from ..outputs.frontier import save_frontier
    from ..scenario.loader import packaged_default_path

    scenario = common.load(args)
    try:
        variables = [parse_variable(value) for value in args.vary]
    except ValueError as error:
        print(f"govsim: {error}", file=sys.stderr)
        return common.EXIT_USAGE
    lang = common.language(args, scenario.language)
    out = common.out_folder(args, scenario, prefix="optimise-")
    common.check_out(out)
    source = args.scenario or packaged_default_path()
    try:
        result = optimise(
            scenario,
            variables,
            out=out,
            objective=args.objective,
            confidence=args.confidence,
            replications=args.replications,
            verify_replications=args.verify_replications,
            seed=args.seed,
            progress=True,
            **common.executor_kwargs(args),
        )
    except KeyboardInterrupt:
        print(text("optimise.interrupted", lang, out=out), file=sys.stderr)
        return common.EXIT_INTERRUPTED
    except ValueError as error:
        print(f"govsim: {error}", file=sys.stderr)
        return common.EXIT_USAGE
    if result.passed:
        result.save(out, source)  # optimum.yaml extends the scenario file
    save_frontier(result, out)
    print(result.summary(lang))
    files = "search.csv, optimum.yaml" if result.passed else "search.csv"
    print(text("optimise.outputs", lang, out=f"{out}/ ({files})"))
    return 0
