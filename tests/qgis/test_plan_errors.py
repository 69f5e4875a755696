"""A PlanError raised deep inside reaches the planner as its message in every front end.

``DeepError`` is a PlanError no front end names: the command line, Processing and the docks
must catch the base class (core/errors.py), not a list of specific ones. It is raised where
the core builds the engine, below every adapter and front end.
"""

from __future__ import annotations

import pytest
from qgis.core import Qgis, QgsProcessingException
from qgis_helpers import src

from plugin.core.errors import Cancelled, PlanError

MESSAGE = "Fix the thing deep inside: the layer ZZDY has no field DYBH."


class DeepError(PlanError):
    """A problem the planner can fix, of a class no front end knows."""


def _raise(cls, message):
    # a new exception at each call: one kept across calls would hold the frames (and the QGIS
    # layers in them) of its traceback until the interpreter's exit, after QGIS is gone
    def fail(*_args, **_kwargs):
        raise cls(message)

    return fail


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(300, 7)


@pytest.fixture()
def deep(monkeypatch):
    """Make the core's engine build (``BalanceEngine.build_columns``, what build_engine runs below every
    adapter, and ``build``) raise ``cls(message)``."""
    from plugin.core.engine import BalanceEngine

    def set_error(cls, message):
        monkeypatch.setattr(BalanceEngine, "build", _raise(cls, message))
        monkeypatch.setattr(BalanceEngine, "build_columns", _raise(cls, message))

    return set_error


# --------------------------------------------------------------------------- command line
@pytest.mark.parametrize("command", ["balance", "export", "report", "check"])
def test_cli_prints_the_message_and_exits_2(qgis_app, demo, deep, tmp_path, capsys, command):
    from plugin.cli.app import main

    deep(DeepError, MESSAGE)
    out = tmp_path / ("out.xlsx" if command == "report" else "out.gpkg")
    rc = main([command, "--parcels", src(demo, "DLTB"), "--units", src(demo, "ZZDY"), "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 2
    assert captured.err.strip() == f"Error: {MESSAGE}"
    assert "Traceback" not in captured.err + captured.out
    assert not out.exists()


def test_cli_cancelled_says_so_and_exits_130(qgis_app, demo, deep, tmp_path, capsys):
    from plugin.cli.app import main

    deep(Cancelled, "Cancelled; nothing was written.")
    out = tmp_path / "out.gpkg"
    assert main(["balance", "--parcels", src(demo, "DLTB"), "--units", src(demo, "ZZDY"), "--out", str(out)]) == 130
    assert "Cancelled; nothing was written." in capsys.readouterr().out
    assert not out.exists()


# --------------------------------------------------------------------------- Processing
@pytest.mark.parametrize("algorithm", ["computebalance", "exportplan", "planreport", "checkdata",
                                       "checkconstraints"])
def test_processing_raises_the_message(provider, demo, deep, tmp_path, algorithm):
    import processing

    deep(DeepError, MESSAGE)
    params = {"PARCELS": src(demo, "DLTB"), "UNITS": src(demo, "ZZDY"), "UNIT_FIELD": "DYBH",
              "OUTPUT": str(tmp_path / ("out.xlsx" if algorithm == "planreport" else "out.gpkg"))}
    with pytest.raises(QgsProcessingException) as raised:
        processing.run(f"landconsolidation:{algorithm}", params)
    assert str(raised.value) == MESSAGE
    assert not (tmp_path / "out.gpkg").exists() and not (tmp_path / "out.xlsx").exists()


# --------------------------------------------------------------------------- docks
def texts(message_bar, level) -> list[str]:
    """The texts shown at ``level`` (the mock bar keeps "title:text")."""
    return [m.split(":", 1)[1] for m in message_bar.get_messages(level)]


def _panel_slot(qgis_iface, cls, message):
    from plugin.gui.errors import guarded

    class Panel:
        iface = qgis_iface

        def engine(self):
            raise cls(message)  # deep inside the slot's work

        @guarded("Recomputing the balance")
        def rebuild_clicked(self):
            return self.engine()

    return Panel().rebuild_clicked


def test_dock_shows_the_message_without_a_traceback(qgis_iface, message_bar, logged):
    assert _panel_slot(qgis_iface, DeepError, MESSAGE)() is None
    assert texts(message_bar, Qgis.Warning) == [f"Recomputing the balance failed: {MESSAGE}"]
    assert message_bar.get_messages(Qgis.Critical) == []
    ours = [text for tag, text, _level in logged if tag == "LandConsolidation"]
    assert any(MESSAGE in text for text in ours)
    assert not any("Traceback" in text for text in ours)  # the planner's problem, not a bug


def test_dock_cancelled_is_not_an_error(qgis_iface, message_bar, logged):
    assert _panel_slot(qgis_iface, Cancelled, "Export cancelled; no file was written.")() is None
    assert texts(message_bar, Qgis.Info) == ["Export cancelled; no file was written."]
    assert message_bar.get_messages(Qgis.Warning) == [] and message_bar.get_messages(Qgis.Critical) == []


def test_dock_bug_still_logs_its_traceback(qgis_iface, message_bar, logged):
    assert _panel_slot(qgis_iface, KeyError, "uid")() is None
    assert len(message_bar.get_messages(Qgis.Critical)) == 1
    assert any(tag == "LandConsolidation" and "Traceback" in text for tag, text, _level in logged)


def test_handover_shows_a_deep_plan_error(qgis_iface, message_bar):
    from plugin.gui import handover as handover_mod

    handover = handover_mod.HandOver(qgis_iface, session=None)
    assert handover._run("Exporting the plan", _raise(DeepError, MESSAGE)) is None
    assert texts(message_bar, Qgis.Warning) == [f"Exporting the plan failed: {MESSAGE}"]
    assert message_bar.get_messages(Qgis.Critical) == []
