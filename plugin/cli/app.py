"""The argument parser of ``python -m plugin.cli`` and its ``main``: one module per command."""
from __future__ import annotations

import argparse
from typing import Sequence

from ..core.i18n import tr
from . import balance, check, contiguity, db, demo, export, lifecycle, report, suggest
from .common import EXIT_INTERRUPTED, start_qgis

#: the commands, in the order ``--help`` lists them: modules with ``add_command(sub)``
COMMANDS = (balance, demo, export, report, check, suggest, contiguity, db, lifecycle)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m plugin.cli", description=tr("Land consolidation balance tools"))
    sub = ap.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_command(sub)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    from ..i18n_setup import setup_for_cli

    start_qgis()
    setup_for_cli()
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SystemExit as exc:
        return int(exc.code or 0)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
