"""The demo's plain data: layer columns, the layers of a township, and its fixed names.

Pure (stdlib, numpy): what the generator returns and the writer writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

CRS = "EPSG:4527"

COUNTY_CODE = "341122"  # 6-digit county code of the fictional county
TOWNSHIP_CODE = "201"
TOWNSHIP_NAME = "青山镇"

TEXT, DOUBLE, INT, SHORT = "text", "double", "int", "short"


@dataclass(frozen=True)
class FieldSpec:
    """One attribute column: name, type (text/double/int/short) and text width."""

    name: str
    type: str
    width: int = 0


@dataclass
class Layer:
    """Plain layer data: geometries (shapely, EPSG:4527) plus one list per column."""

    name: str
    fields: list[FieldSpec]
    geometries: np.ndarray
    columns: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.geometries)

    def records(self) -> Iterator[dict[str, Any]]:
        """Attribute dicts, one per feature (convenient for small layers and tests)."""
        names = [f.name for f in self.fields]
        cols = [self.columns[n] for n in names]
        for values in zip(*cols):
            yield dict(zip(names, values))


@dataclass
class DemoData:
    """All demo layers plus what was generated (seed, size, township) for reports."""

    layers: dict[str, Layer]
    crs: str = CRS
    seed: int = 42
    township: str = TOWNSHIP_NAME
    info: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Layer:
        return self.layers[name]


DLTB_FIELDS = [
    FieldSpec("BSM", TEXT, 18), FieldSpec("TBBH", TEXT, 8), FieldSpec("DLBM", TEXT, 5),
    FieldSpec("DLMC", TEXT, 60), FieldSpec("QSXZ", TEXT, 2), FieldSpec("QSDWDM", TEXT, 19),
    FieldSpec("QSDWMC", TEXT, 254), FieldSpec("ZLDWDM", TEXT, 19), FieldSpec("ZLDWMC", TEXT, 254),
    FieldSpec("TBMJ", DOUBLE), FieldSpec("KCDLBM", TEXT, 5), FieldSpec("KCXS", DOUBLE),
    FieldSpec("KCMJ", DOUBLE), FieldSpec("TBDLMJ", DOUBLE), FieldSpec("GDLX", TEXT, 2),
    FieldSpec("GDPDJB", TEXT, 2), FieldSpec("CZCSXM", TEXT, 4), FieldSpec("GDDB", SHORT),
    FieldSpec("BZ", TEXT, 254),
    FieldSpec("ZZLX", TEXT, 10), FieldSpec("GHDLBM", TEXT, 5), FieldSpec("GHKCXS", DOUBLE),
    FieldSpec("YNCZ", TEXT, 4),
]
PBF_FIELDS = [FieldSpec("YJJBNTTBBH", TEXT, 20), FieldSpec("DLBM", TEXT, 5), FieldSpec("ZLDWDM", TEXT, 19),
              FieldSpec("MJ", DOUBLE)]
STBHHX_FIELDS = [FieldSpec("HXBH", TEXT, 20), FieldSpec("HXMC", TEXT, 60), FieldSpec("LX", TEXT, 20),
                 FieldSpec("MJ", DOUBLE)]
CZKFBJ_FIELDS = [FieldSpec("BJBH", TEXT, 20), FieldSpec("BJMC", TEXT, 60), FieldSpec("MJ", DOUBLE)]
XMFW_FIELDS = [FieldSpec("XMBH", TEXT, 20), FieldSpec("XMMC", TEXT, 100), FieldSpec("XZQ", TEXT, 60),
               FieldSpec("MJ", DOUBLE)]
ZZDY_FIELDS = [FieldSpec("DYBH", TEXT, 20), FieldSpec("DYMC", TEXT, 60), FieldSpec("ZZLX", TEXT, 10),
               FieldSpec("XZQ", TEXT, 60), FieldSpec("ND", INT), FieldSpec("ZT", TEXT, 10)]

LAYER_ORDER = ("DLTB", "YJJBNTTB", "STBHHX", "CZKFBJ", "XMFW", "ZZDY")
