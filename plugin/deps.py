"""Check, without importing QGIS or Qt, that the Python packages the plugin needs are there.

QGIS ships its own Python (OSGeo4W on Windows, the system Python on Linux). shapely 2 and
pandas are often missing or too old there (Debian 12 ships shapely 1.8). The plugin must
still load and tell the planner exactly what to type, so the check is split in two:

* :func:`find_problems` is pure: module versions in, list of problems out (unit-tested).
* :func:`installed_versions` looks at what is importable in this Python.
"""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass
from typing import Mapping, Optional

from .core.i18n import tr

#: package -> minimum version (None: any version will do).
REQUIREMENTS: dict[str, Optional[tuple[int, ...]]] = {
    "shapely": (2, 0),
    "pandas": None,
}

PIP_SPEC = '"shapely>=2" pandas'


@dataclass(frozen=True)
class Problem:
    """One missing or too old package."""

    package: str
    found: Optional[str]  # installed version, None when not importable
    required: str  # e.g. ">= 2.0" or "any version"

    def describe(self) -> str:
        if self.found is None:
            return tr("{package} is not installed (needed: {required})").format(
                package=self.package, required=self.required
            )
        return tr("{package} {found} is too old (needed: {required})").format(
            package=self.package, found=self.found, required=self.required
        )


def parse_version(text: str) -> tuple[int, ...]:
    """Leading numeric part of a version string: '2.0.6' -> (2, 0, 6), '2.1.0rc1' -> (2, 1, 0)."""
    numbers = []
    for part in str(text).strip().split("."):
        match = re.match(r"\d+", part)
        if not match:
            break
        numbers.append(int(match.group()))
        if match.end() != len(part):
            break
    return tuple(numbers)


def _required_text(minimum: Optional[tuple[int, ...]]) -> str:
    if minimum is None:
        return tr("any version")
    return ">= " + ".".join(str(n) for n in minimum)


def find_problems(
    versions: Mapping[str, Optional[str]],
    requirements: Optional[Mapping[str, Optional[tuple[int, ...]]]] = None,
) -> list[Problem]:
    """Compare installed versions with the requirements.

    ``versions`` maps a package name to its version string, or to None when it cannot be
    imported; a package absent from the mapping counts as not installed. Returns one
    :class:`Problem` per package that is missing or older than required, in the order of
    the requirements; an empty list means all is well.
    """
    requirements = REQUIREMENTS if requirements is None else requirements
    problems = []
    for package, minimum in requirements.items():
        found = versions.get(package)
        required = _required_text(minimum)
        if found is None:
            problems.append(Problem(package, None, required))
        elif minimum is not None and parse_version(found) < tuple(minimum):
            problems.append(Problem(package, str(found), required))
    return problems


def installed_versions(packages=None) -> dict[str, Optional[str]]:
    """Version of each package importable in this Python, None for those that fail to import.

    Any error while importing (not only ImportError: a broken binary wheel raises OSError or
    worse) counts as "not installed", so that checking never breaks the plugin's start-up.
    """
    result: dict[str, Optional[str]] = {}
    for package in packages or REQUIREMENTS:
        try:
            module = importlib.import_module(package)
        except Exception:  # any failure means "unusable"
            result[package] = None
            continue
        result[package] = str(getattr(module, "__version__", "0"))
    return result


def check_installed() -> list[Problem]:
    """Problems with the packages importable in this Python (empty list: all fine)."""
    return find_problems(installed_versions())


def fix_command(platform: Optional[str] = None) -> str:
    """The command that installs the packages, for the planner's operating system."""
    platform = sys.platform if platform is None else platform
    if platform.startswith("win"):
        return tr("In the OSGeo4W Shell (Start menu > QGIS > OSGeo4W Shell), run: {command}").format(
            command=f"python -m pip install --upgrade {PIP_SPEC}"
        )
    if platform == "darwin":
        return tr("In a terminal, run: {command}").format(
            command=f"/Applications/QGIS.app/Contents/MacOS/bin/python3 -m pip install --upgrade {PIP_SPEC}"
        )
    return tr(
        "In a terminal, run: {pip_command} (Ubuntu 24.04 and newer can use: {apt_command}; "
        "Debian 12's python3-shapely is 1.8, too old)"
    ).format(
        pip_command=f"python3 -m pip install --user --break-system-packages --upgrade {PIP_SPEC}",
        apt_command="sudo apt install python3-shapely python3-pandas",
    )


def problems_message(problems: list[Problem], platform: Optional[str] = None) -> str:
    """One text for the message bar: what is wrong, then how to fix it, then restart QGIS."""
    what = "; ".join(p.describe() for p in problems)
    return tr("Python packages are missing or too old: {problems}. {fix}. Then restart QGIS.").format(
        problems=what, fix=fix_command(platform)
    )
