"""``govsim warmup``: suggest a warm-up length (MSER-5) and plot it."""

from __future__ import annotations

import argparse

from .common import (
    check_out,
    executor_kwargs,
    executor_options,
    force_option,
    load,
    out_folder,
    scenario_arg,
    where,
)


def add(commands) -> None:
    parser = commands.add_parser(
        "warmup",
        help="suggest a warm-up length (MSER-5 on daily open cases) and plot it",
        description="Run the scenario from an empty system and suggest how many days to discard "
        "(MSER-5 on the daily open cases averaged over replications); saves warmup.png with "
        "the cut marked and warmup.csv.",
    )
    scenario_arg(parser, optional=False)
    parser.add_argument(
        "--replications", "-r", type=int, help="replications (default: the scenario's)"
    )
    parser.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    parser.add_argument(
        "--days", type=int, help="days to simulate from empty (default: warm-up + horizon)"
    )
    parser.add_argument(
        "--seasonal",
        action="store_true",
        help="keep the monthly arrival profile (by default it is made flat for this analysis)",
    )
    parser.add_argument("--out", "-o", help="output folder (default results/warmup-<name>/)")
    force_option(parser)
    executor_options(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..experiments.folders import check_replaceable
    from ..experiments.warmup import suggest_warmup

    scenario = load(args)
    out = out_folder(args, scenario, prefix="warmup-")
    check_out(out)
    check_replaceable(out, scenario, force=args.force, what="warm-up")
    suggestion = suggest_warmup(
        scenario,
        replications=args.replications,
        seed=args.seed,
        days=args.days,
        seasonal=args.seasonal,
        progress=True,
        **executor_kwargs(args),
    )
    suggestion.save(out, force=args.force)
    print(suggestion.summary())
    print(f"plot: {out}/warmup.png    series: {out}/warmup.csv    outputs: {where(out, args)}")
    return 0
