"""The ``govsim`` command: parses arguments, calls the public API, prints. No model logic here.

One module per subcommand, each with ``add(commands)`` (its parser, ``handler=handle``) and
``handle(args) -> exit code``; :data:`COMMANDS` lists them in the order ``govsim --help`` shows.
To add a subcommand, write ``cli/<name>.py`` on that pattern and add it to :data:`COMMANDS`.
Shared options, scenario loading and output-folder checks live in :mod:`.common`.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import traceback
from collections.abc import Sequence

from ..errors import OutputError, ReplicationError, ScenarioError
from ..i18n import LANGUAGES, text
from ..scenario.limits import LimitError
from . import (
    calibrate,
    check,
    common,
    compare,
    library,
    optimise,
    plot,
    report,
    run,
    sweep,
    validate,
    warmup,
)
from .common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, MIN_WARMUP_DAYS, language

__all__ = ["COMMANDS", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_USAGE", "build_parser", "main"]

COMMANDS = (
    run,
    compare,
    sweep,
    optimise,
    plot,
    report,
    library,
    warmup,
    validate,
    calibrate,
    check,
)
"""Every subcommand's module, in ``govsim --help`` order."""


def build_parser() -> argparse.ArgumentParser:
    from ..version import __version__

    parser = argparse.ArgumentParser(
        prog="govsim",
        description="Simulate a city's five-level dispute-resolution command system.",
    )
    parser.add_argument("--version", action="version", version=f"govsim {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback when a replication fails"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add(commands)
    for sub in commands.choices.values():
        sub.add_argument(
            "--lang",
            choices=LANGUAGES,
            help="language of tables, messages, figures and reports (default: $GOVSIM_LANG, "
            "else the scenario's language:, else en)",
        )
    return parser


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (``kill``, a batch scheduler, ``docker stop``) stops a command like Ctrl-C does:
    pools are shut down, staging folders removed, exit code 130."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check_numbers(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    for name in ("replications", "workers", "max_replications"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, found {value}")
    days = getattr(args, "days", None)
    if days is not None and days < MIN_WARMUP_DAYS:
        parser.error(f"--days must be at least {MIN_WARMUP_DAYS}, found {days}")
    if getattr(args, "precision", None) is not None and not args.precision > 0:
        parser.error(f"--precision must be positive, found {args.precision}")
    common.check_precision_kpis(parser, getattr(args, "precision_kpis", None))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        lang = language(args)  # messages before a scenario is read: --lang or GOVSIM_LANG
    except ValueError as error:
        parser.error(f"{error} (from $GOVSIM_LANG)")
    _check_numbers(parser, args)
    try:
        with _sigterm_as_interrupt():
            return args.handler(args)
    except LimitError as error:
        print(f"govsim: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ScenarioError as error:
        print(f"{text('error.scenario', lang)}\n{error.render(lang)}", file=sys.stderr)
        return EXIT_USAGE
    except OutputError as error:
        print(f"govsim: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(text("error.interrupted", lang), file=sys.stderr)
        return EXIT_INTERRUPTED
    except ReplicationError as error:
        if args.debug:
            traceback.print_exception(error, file=sys.stderr)
        print(f"govsim: {error}", file=sys.stderr)
        if not args.debug:
            print(text("error.debug", lang), file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
