"""``govsim report``: write report.html comparing run output folders."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..contract import COUNTY_KPIS
from ..i18n import text
from . import common


def add(commands) -> None:
    parser = commands.add_parser(
        "report", help="write report.html comparing runs (the first is the base)"
    )
    parser.add_argument("results", nargs="+", metavar="RESULT_DIR", help="run output folders")
    parser.add_argument("--out", "-o", required=True, help="folder for report.html and figures")
    parser.add_argument(
        "--kpi", choices=COUNTY_KPIS, metavar="KPI", help="KPI of the county map (as for plot)"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..outputs.report import write_report
    from ..outputs.results_io import load_results

    common.check_out(Path(args.out))
    common.check_out(Path(args.out) / "figures")
    runs = [load_results(folder) for folder in args.results]  # every folder, before writing
    lang = common.language(args, runs[0].scenario.get("language"))
    path = write_report(runs, args.out, lang=lang, map_kpi=args.kpi)
    print(text("report.done", lang, path=path, figures=path.parent / "figures"))
    return 0
