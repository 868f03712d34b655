"""Command line: the same core as the window, headless.

Each command group lives in a module of this package that adds its sub-commands with
``register(subparsers)`` and sets ``handler`` on them; this module only assembles the
parser and turns every failure into one readable line on stderr and a non-zero exit
status, never a traceback: users run these from scripts and shells.
"""

from __future__ import annotations

import argparse
import glob
import importlib
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from resilience_map import __version__

EXIT_ERROR = 2
#: Modules of this package that register commands, in the order ``--help`` lists them.
COMMAND_MODULES = ("project", "image", "briefing", "sync")


class CliError(Exception):
    """An error already phrased for the user."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resilience-map",
        description="Resilience Map: municipalities, resilience indicators, prevention structures "
                    "and hub activities of the Western Balkans, offline. Without a command, opens "
                    "the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"resilience_map.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = set(_subparsers(parser).choices)
    if not argv or (argv[0] not in commands and argv[0] not in ("-h", "--help", "--version")):
        argv = ["open", *argv]
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("resilience-map: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # every failure becomes one readable line
        print(f"resilience-map: error: {describe_error(exc)}", file=sys.stderr)
        return EXIT_ERROR


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def describe_error(exc: BaseException) -> str:
    """One line for any failure: our own errors are already sentences."""
    if isinstance(exc, (CliError, ValueError, LookupError)) or type(exc).__module__.startswith("resilience_map"):
        return " ".join(str(exc).split())
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
    return f"{type(exc).__name__}: {exc}"


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Wildcards expanded here, since Windows shells pass ``*.geojson`` through as typed.

    A pattern that matches nothing is an error naming it; plain paths pass unchanged.
    """
    out: list[Path] = []
    for path in paths:
        text = str(path)
        if glob.has_magic(text):
            matches = sorted(glob.glob(text))
            if not matches:
                raise CliError(f"no file matches {text}")
            out += [Path(m) for m in matches]
        else:
            out.append(path)
    return out


def prepare_headless_qt() -> None:
    """Without a display, render off screen; Chromium refuses its sandbox as root."""
    import os

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")


if __name__ == "__main__":
    raise SystemExit(main())
