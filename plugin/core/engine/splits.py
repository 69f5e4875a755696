"""Pieces of one survey parcel (BSM): a split parcel's pieces share its TBMJ / KCMJ / TBDLMJ.

The rule (which groups are a split, how the areas are shared) is ``core.pieces``; this part
keeps the BSM index and gives every piece the record it counts with (docs/domain-area-rules.md).
"""
from __future__ import annotations

from typing import Hashable

from ..fields import ParcelRecord
from ..pieces import apportion, explained_as_split, survey_key
from .state import sort_key


class _Pieces:
    """The BSM index and the shared records of split parcels. A mixin of :class:`~.balance.BalanceEngine`."""

    def raw_record(self, pid: Hashable) -> ParcelRecord:
        """The parcel's record as read; :meth:`parcel_record` holds its share when it is a piece of a split."""
        return self._raw.get(pid) or self._parcels.rec(pid)

    def pieces(self, bsm: str | None) -> list:
        """Ids of the features that carry ``bsm`` (several: pieces of a split, or duplicates)."""
        hit = self._bsm.get(bsm) if bsm is not None else None
        return [] if hit is None else list(hit) if isinstance(hit, list) else [hit]

    def split_bsms(self) -> list[str]:
        """BSMs whose pieces currently share their survey areas (groups explained as splits)."""
        return sorted({rec.bsm for rec in self._raw.values()})

    def _index_bsm(self, pid: Hashable, bsm: str | None) -> None:
        if bsm is None:
            return
        hit = self._bsm.get(bsm)
        if hit is None:
            self._bsm[bsm] = pid
        elif isinstance(hit, list):
            hit.append(pid)
        else:
            self._bsm[bsm] = [hit, pid]

    def _unindex_bsm(self, pid: Hashable, bsm: str | None) -> None:
        if bsm is None:
            return
        hit = self._bsm.get(bsm)
        if isinstance(hit, list):
            hit.remove(pid)
            if len(hit) == 1:
                self._bsm[bsm] = hit[0]
        elif hit is not None:
            del self._bsm[bsm]

    def _group_records(self, bsm: str) -> dict:
        """Parcel id -> the record each piece of ``bsm`` should count with (core.pieces' rule)."""
        shadows = self.shadows
        pids = [pid for pid in self.pieces(bsm) if pid not in shadows]  # identical copies share nothing
        parcels = self._parcels
        for pid in pids:
            parcels.get(pid)  # its _Parcel: the records compared by identity below are its own
        raw = {pid: self.raw_record(pid) for pid in pids}
        if len(pids) < 2:
            return raw
        pids.sort(key=sort_key)
        shared = None
        if explained_as_split([parcels[pid].geom for pid in pids], [survey_key(raw[pid]) for pid in pids]):
            shared = apportion([(pid, raw[pid], parcels[pid].area) for pid in pids], self.area_scale)
        return shared if shared is not None else raw

    def _regroup(self, bsm: str | None) -> None:
        """Give every piece of ``bsm`` its record; only pieces whose numbers change are re-attached."""
        if bsm is None:
            return
        parcels = self._parcels
        for pid, rec in self._group_records(bsm).items():
            p = parcels[pid]
            raw = self._raw.get(pid, p.rec)
            if rec is raw:
                self._raw.pop(pid, None)
            else:
                self._raw[pid] = raw
            if p.rec == rec:
                p.rec = rec
                continue
            pairs = p.pairs
            self._detach(pid, p)
            p.rec = rec
            self._attach(pid, p, pairs)
