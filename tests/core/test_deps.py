"""The dependency check is pure: versions in, problems out (no QGIS needed)."""

from __future__ import annotations

import pytest

from plugin import deps


def test_all_good():
    assert deps.find_problems({"shapely": "2.0.6", "pandas": "2.2.3"}) == []
    assert deps.find_problems({"shapely": "2.1.0rc1", "pandas": "0.1"}) == []


def test_shapely_too_old_and_pandas_missing():
    problems = deps.find_problems({"shapely": "1.8.5.post1", "pandas": None})
    assert [(p.package, p.found) for p in problems] == [("shapely", "1.8.5.post1"), ("pandas", None)]
    assert problems[0].describe() == "shapely 1.8.5.post1 is too old (needed: >= 2.0)"
    assert problems[1].describe() == "pandas is not installed (needed: any version)"


def test_absent_from_mapping_counts_as_missing():
    problems = deps.find_problems({})
    assert [p.package for p in problems] == ["shapely", "pandas"]
    assert all(p.found is None for p in problems)


def test_custom_requirements():
    assert deps.find_problems({"numpy": "1.26.4"}, {"numpy": (2,)})[0].required == ">= 2"
    assert deps.find_problems({"numpy": "2.0.0"}, {"numpy": (2,)}) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2.0.6", (2, 0, 6)), ("2.1.0rc1", (2, 1, 0)), ("1.8.5.post1", (1, 8, 5)), ("10", (10,)), ("dev", ())],
)
def test_parse_version(text, expected):
    assert deps.parse_version(text) == expected


def test_fix_commands_per_platform():
    windows = deps.fix_command("win32")
    assert "OSGeo4W Shell" in windows and 'python -m pip install --upgrade "shapely>=2" pandas' in windows
    linux = deps.fix_command("linux")
    assert 'python3 -m pip install --user --break-system-packages --upgrade "shapely>=2" pandas' in linux
    assert "apt install python3-shapely python3-pandas" in linux
    assert "/Applications/QGIS.app" in deps.fix_command("darwin")


def test_message_names_problem_and_fix():
    problems = deps.find_problems({"shapely": "1.8.5", "pandas": "2.2.3"})
    message = deps.problems_message(problems, "win32")
    assert "shapely 1.8.5 is too old" in message and "OSGeo4W Shell" in message and "restart QGIS" in message


def test_installed_versions_never_raises():
    versions = deps.installed_versions(["shapely", "surely_not_a_module_xyz"])
    assert versions["surely_not_a_module_xyz"] is None
    assert deps.parse_version(versions["shapely"]) >= (2,)
    assert deps.check_installed() == []
