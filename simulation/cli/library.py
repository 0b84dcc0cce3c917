"""``govsim library-table``: run the scenario library against the baseline and tabulate it."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from .. import store
from ..errors import OutputError


def add(commands) -> None:
    parser = commands.add_parser(
        "library-table",
        help="run the scenario library against the baseline and print (or --write) its table",
    )
    parser.add_argument(
        "--replications", "-r", type=int, help="replications (default: each file's)"
    )
    parser.add_argument("--horizon-days", type=int, help="counted days (default: each file's)")
    parser.add_argument("--warmup-days", type=int, help="warm-up days (default: each file's)")
    parser.add_argument("--workers", "-j", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--write",
        metavar="README",
        help="replace the marked library-table section of this Markdown file (scenarios/README.md)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..outputs.library import compare_library, library_markdown, replace_section

    if args.write:  # before the library runs
        path = Path(args.write)
        if not path.is_file():
            what = "a folder" if path.is_dir() else "no such file"
            raise OutputError(f"--write {path}: expected an existing Markdown file, found {what}")
        if not os.access(path, os.R_OK | os.W_OK):
            raise OutputError(f"--write {path}: the file is not readable and writable")
    table = compare_library(
        args.replications,
        args.horizon_days,
        args.warmup_days,
        workers=args.workers,
        progress=True,
    )
    markdown = library_markdown(table)
    if args.write:
        store.write_text(path, replace_section(path.read_text(encoding="utf-8"), markdown))
        print(f"library table written into {path}")
    else:
        print(markdown)
    return 0
