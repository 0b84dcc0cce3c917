"""``govsim warmup``: suggest a warm-up length (MSER-5) and plot it."""

from __future__ import annotations

import argparse

from . import common

HELP = "suggest a warm-up length (MSER-5 on daily open cases) and plot it"
DESCRIPTION = (
    "Run the scenario from an empty system and suggest how many days to discard "
    "(MSER-5 on the daily open cases averaged over replications); saves warmup.png with "
    "the cut marked and warmup.csv."
)


def add(commands) -> None:
    parser = common.add_command(commands, "warmup", HELP, DESCRIPTION)
    common.scenario_arg(parser, optional=False)
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
    common.force_option(parser)
    common.executor_options(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..experiments.folders import check_replaceable
    from ..experiments.warmup import suggest_warmup

    scenario = common.load(args)
    out = common.out_folder(args, scenario, prefix="warmup-")
    common.check_out(out)
    check_replaceable(out, scenario, force=args.force, what="warm-up")
    suggestion = suggest_warmup(
        scenario,
        replications=args.replications,
        seed=args.seed,
        days=args.days,
        seasonal=args.seasonal,
        progress=True,
        **common.executor_kwargs(args),
    )
    suggestion.save(out, force=args.force)
    print(suggestion.summary())
    print(
        f"plot: {out}/warmup.png    series: {out}/warmup.csv    outputs: {common.where(out, args)}"
    )
    return 0
