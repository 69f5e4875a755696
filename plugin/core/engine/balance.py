"""The balance engine: per-unit land-class areas before/after and the rule variables.

Design (docs/architecture.md "The engine"):

* Each parcel contributes to each unit it overlaps, in proportion to the share of its
  own area inside the unit (docs/domain.md §6: TBMJ is authoritative; a parcel cut by a unit
  boundary is apportioned by area share).
* A contribution is a handful of integers in µm² (``SCALE``): class areas before and
  after, flow areas, PBF areas. Unit aggregates are integer sums, so any sequence of
  incremental edits ends in *exactly* the state a full rebuild gives (no float drift).
* Per pair only ``(unit id, share, pbf share)`` is stored; the contribution is recomputed
  from the parcel's record when it has to be subtracted. That keeps a million parcels in
  memory and makes an edit cost O(parcels touched × units they touch).
* A uniform grid indexes parcel and unit bounding boxes and is updated in O(1) per
  feature; the full build uses shapely's bulk STRtree instead.
"""
from __future__ import annotations

from collections import Counter
from typing import Hashable

import numpy as np
import shapely

from ..landclasses import LandClassTable, default_table
from ..rules import RulePack, bundled_pack
from ..validation import Problem
from .apportion import _Apportionment
from .build import _FullBuild
from .bulk import _BulkSums
from .compact import _Compaction
from .composition import _Composition
from .edits import _Edits
from .grid import Grid
from .members import BsmIndex, UnitMembers
from .read_api import _ReadAPI
from .reshape import _UnitReshape
from .results import _Results
from .splits import _Pieces
from .state import _Unit
from .store import ParcelIndex, ParcelStore


class BalanceEngine(_ReadAPI, _Results, _Edits, _UnitReshape, _Compaction, _Pieces, _FullBuild, _BulkSums,
                    _Apportionment, _Composition):
    """Incremental area balance of remediation units; see the module docstring.

    Its parts live beside it, one concern each: the composition of a parcel (``composition``),
    the apportionment state (``apportion``), the full build (``build``), edits (``edits``),
    pieces of a split survey parcel (``splits``), results (``results``) and the public read
    API front ends use (``read_api``).
    """

    def __init__(self, pack: RulePack | None = None, table: LandClassTable | None = None, cell: float | None = None,
                 area_scale: float = 1.0):
        self.pack = pack or bundled_pack("national")
        self.table = table or self.pack.table or default_table()
        self._cell = cell
        # ellipsoidal m² per planar unit² of the working CRS (the adapter measures it): only used to
        # tell a TBMJ copied onto a split's pieces from apportioned shares (see core.pieces)
        self.area_scale = area_scale
        self._bsm = BsmIndex()  # BSM -> parcel id, or a list of ids when several features share it
        self._raw: dict = {}  # parcel id -> its record as read, for pieces whose p.rec holds their share
        self._parcels = ParcelStore()  # parcel id -> _Parcel, over the columns of the last build
        self._units: dict[Hashable, _Unit] = {}
        self._unit_parcels = UnitMembers()  # unit id -> set of parcel ids
        self.aggregates: dict[Hashable, Counter] = {}
        self.project: Counter = Counter()
        self.unknown_codes: Counter = Counter()
        self.missing_area: set = set()  # parcels whose TBMJ was NULL (area taken from geometry)
        self.empty_geometry: set = set()
        self.geometry_fixes: dict = {}  # pid -> "repaired" | "reduced" | "unusable"
        self.duplicates = None  # validation.DuplicateNotes of the last full build (repeated feature ids)
        self.shadows: set = set()  # identical copies of a parcel with a smaller id: kept, never counted
        self.input_problems: list[Problem] = []  # set by the adapter (CRS, TBMJ unit…), kept by edits
        self.input_warnings: list[str] = []  # what the adapter sanitised (values, measured areas…)
        self._unknown_class = 0  # parcels whose DLBM is not a known land class
        self._unit_overlaps: dict[tuple, tuple] = {}  # (uid, uid) sorted -> (overlap m² > 0, overlap geometry)
        self._pbf_tree: shapely.STRtree | None = None
        self._pbf_geoms: np.ndarray | None = None
        self._parcel_grid = ParcelIndex(self._parcels, cell or 250.0)
        self._unit_grid = Grid(cell or 250.0)
        self._flow_cache: dict[tuple, tuple] = {}

