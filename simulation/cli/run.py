"""``govsim run``: run a scenario, write its outputs and print its KPIs."""

from __future__ import annotations

import argparse

from ..i18n import text
from . import common


def add(commands) -> None:
    parser = commands.add_parser("run", help="run a scenario and write its outputs")
    common.scenario_arg(parser, optional=True)
    parser.add_argument("--replications", "-r", type=int, help="number of replications")
    parser.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    parser.add_argument(
        "--out",
        "-o",
        help="output folder (default results/<name>/, with --set results/<name>+<key>=<value>/)",
    )
    common.force_option(parser)
    parser.add_argument(
        "--xlsx",
        action="store_true",
        help="also write results.xlsx: KPIs with targets, KPIs by county, offices and up to "
        "100,000 cases, headers in the chosen language",
    )
    parser.add_argument(
        "--events",
        action="store_true",
        help="also write events.parquet: one row per step of every case (replication, "
        "case_id, time, office, level, activity, outcome) for process-mining tools",
    )
    common.executor_options(parser)
    parser.add_argument(
        "--precision",
        type=float,
        metavar="REL",
        help="add replications until every KPI with a target has a 95%% CI half-width within "
        "REL x its mean (e.g. 0.05; shares: or 0.005 absolute)",
    )
    parser.add_argument(
        "--precision-kpis",
        type=lambda text: [k.strip() for k in text.split(",") if k.strip()],
        metavar="KPI[,KPI...]",
        help="with --precision, the KPIs that must all be that precise (default: every KPI "
        "with a target); the run says which converged last",
    )
    parser.add_argument(
        "--max-replications",
        type=int,
        metavar="N",
        help="with --precision, stop at N replications (default 100)",
    )
    parser.add_argument(
        "--max-cases",
        type=float,
        metavar="N",
        help="refuse to run above N expected cases per replication, warm-up included "
        "(default 5,000,000)",
    )
    parser.add_argument(
        "--max-memory",
        type=float,
        metavar="GB",
        help="refuse to run above this estimated peak memory in GB (default 8)",
    )
    common.strict_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..experiments.folders import check_replaceable
    from ..experiments.runner import run
    from ..outputs.targets_text import targets_met_text
    from ..outputs.text import format_kpis

    scenario = common.load(args)
    out = common.out_folder(args, scenario)
    common.check_out(out)  # before the run: a bad folder should not cost a whole run
    check_replaceable(out, scenario, force=args.force)
    # run() refuses a scenario above the size limits before its progress bar appears
    results = run(
        scenario,
        args.replications,
        args.seed,
        progress=True,
        precision=args.precision,
        precision_kpis=args.precision_kpis,
        max_replications=args.max_replications,
        max_cases=args.max_cases,
        max_memory_gb=args.max_memory,
        **common.executor_kwargs(args),
        **({"events": True} if args.events else {}),
    )
    replications = results.scenario.replications
    results.save(out, force=args.force)
    lang = common.language(args, scenario.language)
    workbook = None
    if args.xlsx:
        workbook = results.to_excel(out / "results.xlsx", lang=lang)
    seed = results.scenario.seed
    print(text("run.header", lang, name=scenario.name, replications=replications, seed=seed))
    if results.precision is not None:
        print(results.precision.summary())
    print(format_kpis(results.kpis, lang))
    print("\n" + targets_met_text(results, lang, common.where(out, args)))
    if workbook is not None:
        print(text("run.xlsx", lang, path=workbook))
    return 0
