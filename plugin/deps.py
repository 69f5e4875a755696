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

PIP_SPEC = '"shapely>=2" "pandas<3"'  # pandas 3 is untested


def pip_spec(numpy_version: Optional[str]) -> str:
    """What pip installs: PIP_SPEC, with numpy held at the version QGIS's Python already has.

    Without the pin pip picks the newest shapely, which may need a newer numpy, and puts
    numpy 2 into the user's site-packages, in front of the numpy QGIS and GDAL were built
    with (on Debian 12 that breaks osgeo.gdal_array).
    """
    return PIP_SPEC + (f' "numpy=={numpy_version}"' if numpy_version else "")


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


def read_os_release(path: str = "/etc/os-release") -> dict[str, str]:
    """``/etc/os-release`` as a dict (ID, VERSION_ID, ID_LIKE …); empty when it cannot be read."""
    result: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                key, sep, value = line.strip().partition("=")
                if sep and key and not key.startswith("#"):
                    result[key] = value.strip().strip('"').strip("'")
    except OSError:
        pass
    return result


def externally_managed() -> bool:
    """True when this Python is marked EXTERNALLY-MANAGED (PEP 668: Debian 12+, Ubuntu 23.04+)."""
    import sysconfig
    from pathlib import Path

    return (Path(sysconfig.get_paths()["stdlib"]) / "EXTERNALLY-MANAGED").exists()


def _distribution_ids(os_release: Mapping[str, str]) -> list[str]:
    return [os_release.get("ID", ""), *os_release.get("ID_LIKE", "").split()]


def _packages_new_enough(os_release: Mapping[str, str]) -> bool:
    """Does this distribution package shapely >= 2 and pandas (python3-shapely, python3-pandas)?

    Debian 13 "trixie" (shapely 2.1) and newer, Debian testing/unstable (no VERSION_ID) and
    Ubuntu 24.04 (shapely 2.0) and newer do; Debian 12 (1.8) and Ubuntu 22.04 (1.8) do not.
    """
    ids = _distribution_ids(os_release)
    version = parse_version(os_release.get("VERSION_ID", ""))
    if os_release.get("ID") == "debian":
        return not version or version >= (13,)
    if os_release.get("ID") == "ubuntu" or "ubuntu" in ids[1:]:
        # Ubuntu derivatives (Mint …) number their releases differently: only Ubuntu itself is known
        return os_release.get("ID") == "ubuntu" and version >= (24, 4)
    return False


def fix_command(platform: Optional[str] = None, os_release: Optional[Mapping[str, str]] = None,
                pep668: Optional[bool] = None, numpy_version: Optional[str] = None) -> str:
    """The command that installs the packages, for the planner's operating system.

    ``os_release`` (Linux: the fields of /etc/os-release), ``pep668`` (this Python refuses pip
    installs without --break-system-packages) and ``numpy_version`` (the numpy to keep; "" for
    none) default to this machine's. pip runs without --upgrade: it installs what is missing or
    too old and leaves everything else (numpy above all) as QGIS has it.
    """
    platform = sys.platform if platform is None else platform
    if numpy_version is None:
        numpy_version = installed_versions(["numpy"]).get("numpy") or ""
    spec = pip_spec(numpy_version)
    if platform.startswith("win"):
        return tr("In the OSGeo4W Shell (Start menu > QGIS > OSGeo4W Shell), run: {command}").format(
            command=f"python -m pip install {spec}"
        )
    if platform == "darwin":
        return tr("In a terminal, run: {command}").format(
            command=f"/Applications/QGIS.app/Contents/MacOS/bin/python3 -m pip install {spec}"
        )
    os_release = read_os_release() if os_release is None else os_release
    if _packages_new_enough(os_release):
        return tr("In a terminal, run: {command}").format(command="sudo apt install python3-shapely python3-pandas")
    pep668 = externally_managed() if pep668 is None else pep668
    flag = " --break-system-packages" if pep668 else ""
    command = f"python3 -m pip install --user{flag} {spec}"
    ids = _distribution_ids(os_release)
    if "debian" in ids or "ubuntu" in ids:
        # QGIS does not pull in pip on Debian/Ubuntu; their python3-shapely is too old here
        command = "sudo apt install python3-pip && " + command
    return tr("In a terminal, run: {command}").format(command=command)


def problems_message(problems: list[Problem], platform: Optional[str] = None) -> str:
    """One text for the message bar: what is wrong, then how to fix it, then restart QGIS."""
    what = "; ".join(p.describe() for p in problems)
    return tr("Python packages are missing or too old: {problems}. {fix}. Then restart QGIS.").format(
        problems=what, fix=fix_command(platform)
    )
