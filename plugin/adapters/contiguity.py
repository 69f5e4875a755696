"""集中连片 kept live with a :class:`~.live.LiveBalance`, and computed once for the CLI and Processing.

:class:`LiveContiguity` follows the live balance: after an edit of parcels or units it updates
the patches near them (``core.contiguity_live.Contiguity.update``, ids from
``LiveBalance.last_changes``); after a full rebuild or a PBF edit it builds again, lazily,
the next time someone reads it (``state()``), so a session where nobody looks at the numbers
pays nothing. docs/domain-contiguity.md.
"""
from __future__ import annotations

import traceback

from qgis.core import Qgis

from ..core.contiguity import ContiguitySettings
from ..core.contiguity_live import Contiguity
from ..core.i18n import tr
from .log import log


def compute(engine, pack=None) -> Contiguity:
    """The contiguity of a built engine with the pack's settings (the CLI, Processing, the export)."""
    state = Contiguity(ContiguitySettings.from_pack(pack if pack is not None else engine.pack))
    state.build(engine)
    return state


class LiveContiguity:
    """The contiguity of the live balance's engine, current after every flush."""

    def __init__(self, live, pack=None):
        self.live = live
        self.settings = ContiguitySettings.from_pack(pack if pack is not None else getattr(live, "pack", None))
        self._state: Contiguity | None = None
        self._engine = None

    def follow(self) -> None:
        """Slot of ``LiveBalance.updated`` (connected before the docks', so they read current numbers)."""
        state, engine = self._state, self.live.engine
        if state is None:
            return
        changes = self.live.last_changes
        if engine is not self._engine or changes is None or changes.get("pbf"):
            self._state = None  # rebuilt, or PBF shares changed everywhere: built again when read
            return
        try:
            state.update(engine, parcels=changes.get("parcels") or (), units=changes.get("units") or ())
        except Exception:
            log(tr("The contiguity numbers could not follow an edit; they are computed again.")
                + "\n" + traceback.format_exc(), Qgis.Warning)
            self._state = None

    def state(self) -> Contiguity | None:
        """The current patches (built now when needed); None while there is no engine."""
        engine = self.live.engine
        if engine is None:
            return None
        if self._state is None or engine is not self._engine:
            state = Contiguity(self.settings)
            state.build(engine)
            state.warm()  # the first edit then costs what the others do
            self._state, self._engine = state, engine
        return self._state

    def stop(self) -> None:
        self._state = self._engine = None
