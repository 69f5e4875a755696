"""What every command of ``python -m plugin.cli`` shares: QGIS start, sources, rule pack, engine, errors.

``command`` turns the plugin's two exceptions into what a Unix command does: a ``PlanError``
(core/errors.py) prints ``Error: <message>`` on stderr and exits 2, ``Cancelled`` prints its
message and exits 130. A command never catches lists of specific classes.
"""
from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import Callable, Sequence

from ..core.errors import Cancelled, PlanError
from ..core.i18n import tr
from ..core.report import summary_lines
from .startup import start_qgis  # noqa: F401 — imported from here by commands and tests

EXIT_INPUT = 2
EXIT_INTERRUPTED = 130


def fail(message: str) -> int:
    """Print ``Error: message`` on stderr; the exit code of bad input."""
    print(tr("Error: {0}").format(message), file=sys.stderr)
    return EXIT_INPUT


def command(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Decorator of a command's ``run``: PlanError -> message and exit 2, Cancelled -> message and 130."""

    @functools.wraps(run)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except PlanError as exc:
            return fail(str(exc))
        except Cancelled as exc:
            print(str(exc))
            return EXIT_INTERRUPTED

    return wrapper


def say(lines: Sequence[str] = (), warnings: Sequence[str] = (), written: Sequence = ()) -> None:
    """Print ``lines``, then each warning and each file written, the way every command does."""
    for line in lines:
        print(line)
    for w in warnings:
        print(tr("Warning: {0}").format(w))
    for path in written:
        print(tr("Written: {0}").format(Path(path).resolve()))


def print_summary(engine, townships: Sequence = ()) -> None:
    """The per-unit summary of the balance (core/report.summary_lines), the townships after the units."""
    say(summary_lines(engine, townships=townships))


def add_sources(p: argparse.ArgumentParser) -> None:
    """The source options every command reading a plan has (--parcels, --units, --pbf, --rules …)."""
    p.add_argument("--parcels", required=True, help=tr("parcel (三调 DLTB) source, e.g. file.gpkg|layername=DLTB"))
    p.add_argument("--units", required=True, help=tr("remediation units source"))
    p.add_argument("--pbf", help=tr("permanent basic farmland source (optional)"))
    p.add_argument("--rules", default="national", help=tr("rule pack id or JSON file (default: national)"))
    p.add_argument("--unit-field", default=None, help=tr("unit code field (default: DYBH)"))
    p.add_argument("--tbmj-in-mu", action="store_true", help=tr("TBMJ, KCMJ, TBDLMJ are in mu, not m²"))
    p.add_argument("--encoding", default=None, metavar="ENC",
                   help=tr("text encoding of shapefile sources, e.g. GBK (QGIS: data source encoding); "
                           "default: the .cpg file, else detected"))


def input_sources(args: argparse.Namespace) -> list[str]:
    """The command's input sources and rule-pack file: no output may overwrite them."""
    sources = [getattr(args, name, None) for name in ("parcels", "units", "pbf", "ugb", "redline", "boundary",
                                                      "achieved")]
    rules = getattr(args, "rules", None)
    if rules and Path(rules).suffix:
        sources.append(rules)
    return [s for s in sources if s]


def check_outputs(args: argparse.Namespace, targets: Sequence, overwrite: bool = True) -> None:
    """Refuse (WriteError) outputs that are inputs, or that exist when overwriting is not allowed."""
    from ..adapters.gpkg import WriteError
    from ..adapters.outputs import refuse_inputs, remove_leftovers

    refuse_inputs(targets, input_sources(args))
    for t in {Path(t).expanduser().resolve().parent for t in targets if t}:
        remove_leftovers(t)  # of killed runs, at once (not only once this run gets to writing)
    if not overwrite:
        for t in targets:
            if t and Path(t).exists():
                raise WriteError(tr("{0} exists already; choose another name, or give --overwrite to replace it.")
                                 .format(Path(t).resolve()))


def open_inputs(args: argparse.Namespace):
    """The command's sources (--parcels, --units, --pbf, --unit-field, --tbmj-in-mu) as Inputs."""
    from ..adapters.layers import Inputs, open_layer

    encoding = getattr(args, "encoding", None)
    return Inputs(
        parcels=open_layer(args.parcels, tr("parcel"), encoding),
        units=open_layer(args.units, tr("units"), encoding),
        pbf=open_layer(args.pbf, tr("permanent basic farmland"), encoding) if args.pbf else None,
        unit_field=args.unit_field,
        tbmj_in_mu=bool(getattr(args, "tbmj_in_mu", False)),
    )


def open_extras(args: argparse.Namespace, names: Sequence[str]) -> dict:
    """The optional layers ``names`` (of redline, ugb, boundary, achieved) as {name: layer or None}."""
    from ..adapters.layers import open_layer

    labels = {"redline": tr("ecological red line"), "ugb": tr("urban growth boundary"),
              "boundary": tr("project boundary"), "achieved": tr("achieved layer")}
    encoding = getattr(args, "encoding", None)
    return {n: open_layer(getattr(args, n), labels[n], encoding) if getattr(args, n, None) else None for n in names}


def compute(args: argparse.Namespace, progress=None):
    """Open the sources and build the engine, shared by every command: (engine, reader, inputs).

    A rule pack that does not load, a source that does not open or data that is refused raise a
    ``PlanError`` (RulePackError, InputError).
    """
    from ..adapters.layers import build_engine
    from ..core.rules import load_pack

    pack = load_pack(args.rules)
    inputs = open_inputs(args)
    engine, reader = build_engine(inputs, pack, progress=progress)
    return engine, reader, inputs


def add_ugb(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ugb", default=None,
                   help=tr("urban growth boundary source (optional; for the township rule on PBF inside it)"))


def add_zones(p: argparse.ArgumentParser, names: Sequence[str] = ("redline", "ugb", "boundary")) -> None:
    """The optional 三区三线 / boundary sources ``names`` (opened by :func:`open_extras`)."""
    helps = {"redline": tr("ecological protection red line source (optional)"),
             "ugb": tr("urban growth boundary source (optional)"),
             "boundary": tr("project boundary source (optional)")}
    for name in names:
        p.add_argument(f"--{name}", default=None, help=helps[name])


def township_results_of(args: argparse.Namespace, engine, reader, inputs) -> list:
    """The township PBF limits of the run, from --pbf and (optional) --ugb (docs/domain.md §7)."""
    from ..adapters.townships import township_results

    return township_results(engine, inputs.pbf, open_extras(args, ("ugb",))["ugb"], reader.crs)
