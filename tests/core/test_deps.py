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


DEBIAN_12 = {"ID": "debian", "VERSION_ID": "12"}
DEBIAN_13 = {"ID": "debian", "VERSION_ID": "13"}
DEBIAN_SID = {"ID": "debian"}
UBUNTU_22 = {"ID": "ubuntu", "ID_LIKE": "debian", "VERSION_ID": "22.04"}
UBUNTU_24 = {"ID": "ubuntu", "ID_LIKE": "debian", "VERSION_ID": "24.04"}
MINT_22 = {"ID": "linuxmint", "ID_LIKE": "ubuntu debian", "VERSION_ID": "22"}
FEDORA = {"ID": "fedora", "VERSION_ID": "41"}
PIP = 'python3 -m pip install --user --break-system-packages "shapely>=2" "pandas<3" "numpy==1.24.2"'


def test_fix_commands_per_platform():
    windows = deps.fix_command("win32", numpy_version="1.26.4")
    assert "OSGeo4W Shell" in windows
    assert windows.endswith('python -m pip install "shapely>=2" "pandas<3" "numpy==1.26.4"')
    assert "/Applications/QGIS.app" in deps.fix_command("darwin", numpy_version="")
    assert '"numpy==' not in deps.fix_command("darwin", numpy_version="")  # no numpy: none to keep


def test_pip_keeps_the_numpy_qgis_has():
    """pip must not put numpy 2 in front of the numpy QGIS/GDAL were built with (and no --upgrade)."""
    text = deps.fix_command("linux", DEBIAN_12, pep668=True, numpy_version="1.24.2")
    assert '"numpy==1.24.2"' in text and "--upgrade" not in text


@pytest.mark.parametrize("release", [DEBIAN_13, DEBIAN_SID, UBUNTU_24])
def test_distributions_with_shapely_2_install_their_packages(release):
    """Debian 13 (shapely 2.1, pandas 2.2) and Ubuntu 24.04 (shapely 2.0) package both: apt, no pip."""
    text = deps.fix_command("linux", release, pep668=True, numpy_version="2.2.4")
    assert text.endswith("sudo apt install python3-shapely python3-pandas")
    assert "pip" not in text


def test_debian_12_gets_pip_for_the_user_with_pip_installed_first():
    """Debian 12's python3-shapely is 1.8; QGIS does not pull in python3-pip; pip needs the PEP 668 flag."""
    text = deps.fix_command("linux", DEBIAN_12, pep668=True, numpy_version="1.24.2")
    assert text.endswith("sudo apt install python3-pip && " + PIP)


def test_ubuntu_22_pip_has_no_break_system_packages_option():
    """Ubuntu 22.04's pip 22.0 is not externally managed and rejects --break-system-packages."""
    text = deps.fix_command("linux", UBUNTU_22, pep668=False, numpy_version="1.21.5")
    assert text.endswith('sudo apt install python3-pip && python3 -m pip install --user "shapely>=2" "pandas<3" '
                         '"numpy==1.21.5"')


@pytest.mark.parametrize("release", [MINT_22, FEDORA, {}])
def test_other_linux_gets_pip(release):
    text = deps.fix_command("linux", release, pep668=True, numpy_version="1.24.2")
    assert PIP in text and ("apt install python3-pip" in text) == ("debian" in release.get("ID_LIKE", ""))


def test_os_release_is_read(tmp_path):
    path = tmp_path / "os-release"
    path.write_text('PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nID=debian\nVERSION_ID="13"\n# note\n',
                    encoding="utf-8")
    assert deps.read_os_release(str(path)) == {"PRETTY_NAME": "Debian GNU/Linux 13 (trixie)", "ID": "debian",
                                               "VERSION_ID": "13"}
    assert deps.read_os_release(str(tmp_path / "missing")) == {}


def test_message_names_problem_and_fix():
    problems = deps.find_problems({"shapely": "1.8.5", "pandas": "2.2.3"})
    message = deps.problems_message(problems, "win32")
    assert "shapely 1.8.5 is too old" in message and "OSGeo4W Shell" in message and "restart QGIS" in message


def test_installed_versions_never_raises():
    versions = deps.installed_versions(["shapely", "surely_not_a_module_xyz"])
    assert versions["surely_not_a_module_xyz"] is None
    assert deps.parse_version(versions["shapely"]) >= (2,)
    assert deps.check_installed() == []
