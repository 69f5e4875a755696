"""Printable unit maps (A3 PDF/PNG): files per unit, layout content, numbers equal structure_rows, CLI, Processing."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from qgis_helpers import src

from plugin.adapters.layers import InputError, Inputs, build_engine, open_layer
from plugin.adapters.unit_maps import nice_scale, write_unit_maps
from plugin.core.areas import HECTARE_M2, MU_M2
from plugin.core.report import structure_rows
from plugin.core.rules import bundled_pack

ROOT = Path(__file__).resolve().parents[2]
N_PARCELS = 600


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(N_PARCELS, 5)



def _inputs(demo: Path) -> Inputs:
    return Inputs(parcels=open_layer(src(demo, "DLTB"), "parcels"), units=open_layer(src(demo, "ZZDY"), "units"),
                  pbf=open_layer(src(demo, "YJJBNTTB"), "pbf"), unit_field="DYBH")


@pytest.fixture(scope="module")
def built(demo):
    """[engine, inputs]; emptied at teardown: pytest keeps fixture values in the last test's funcargs
    until after the session fixtures (QGIS) are gone, and layers freed after exitQgis crash it."""
    inputs = _inputs(demo)
    engine, _reader = build_engine(inputs, bundled_pack("national"))
    box = [engine, inputs]
    yield box
    box.clear()
    del inputs


def _codes(engine) -> list[str]:
    return [engine.unit_code(u) for u in engine.ordered_units()]


def _pdf_pages(path: Path) -> int:
    """Pages of the PDF: the /Count of its page tree (the last one: QGIS appends the georeference as an
    incremental update that repeats the page objects)."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), path
    assert data.rstrip().endswith(b"%%EOF"), path
    assert re.search(rb"/Type\s*/Page(?![A-Za-z])", data)
    counts = re.findall(rb"/Count\s+(\d+)", data)
    assert counts, path
    return int(counts[-1])


def test_nice_scale():
    assert nice_scale(4200) == 5000
    assert nice_scale(5000) == 5000
    assert nice_scale(7000) == 7500
    assert nice_scale(120) == 500


def test_pdf_for_every_unit_and_for_chosen_units(built, tmp_path):
    engine, inputs = built
    codes = _codes(engine)
    timings: dict = {}
    written = write_unit_maps(engine, inputs, tmp_path / "all", timings=timings)
    assert [p.name for p in written] == [f"{c}.pdf" for c in codes]
    for path in written:
        assert path.is_file() and path.stat().st_size > 10_000
        assert _pdf_pages(path) == 1
    assert not [p for p in (tmp_path / "all").iterdir() if p.name.startswith(".")]  # no temporary left
    assert set(timings) == set(codes)
    print("seconds per map:", {k: round(v, 2) for k, v in timings.items()})
    chosen = write_unit_maps(engine, inputs, tmp_path / "some", units=[codes[-1]])
    assert [p.name for p in chosen] == [f"{codes[-1]}.pdf"]
    assert sorted(p.name for p in (tmp_path / "some").iterdir()) == [f"{codes[-1]}.pdf"]
    with pytest.raises(InputError, match="NOPE"):
        write_unit_maps(engine, inputs, tmp_path / "bad", units=["NOPE"])


def test_single_pdf_has_one_page_per_unit(built, tmp_path):
    engine, inputs = built
    out = tmp_path / "atlas.pdf"
    assert write_unit_maps(engine, inputs, out) == [out.resolve()]
    assert _pdf_pages(out) == engine.unit_count()


def test_png_size_and_not_blank(built, tmp_path):
    from qgis.PyQt.QtGui import QImage

    engine, inputs = built
    code = _codes(engine)[0]
    (path,) = write_unit_maps(engine, inputs, tmp_path, units=[code], fmt="png", dpi=100)
    image = QImage(str(path))
    # A3 landscape at 100 dpi (QGIS truncates the page size in pixels)
    assert abs(image.width() - 420 / 25.4 * 100) <= 1 and abs(image.height() - 297 / 25.4 * 100) <= 1
    small = image.scaled(105, 74)
    colours = {small.pixel(x, y) for x in range(small.width()) for y in range(small.height())}
    assert len(colours) > 50  # map, legend and tables drawn, not a white page
    artefacts = Path(os.environ.get("LC_PLUGIN_ARTEFACTS", ROOT / "artefacts"))
    artefacts.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    (shown,) = write_unit_maps(engine, inputs, artefacts / "unit_maps", units=[code], fmt="png", dpi=150)
    print("artefact", shown, f"{time.perf_counter() - started:.2f} s")


def test_layout_content_and_table_values(built, tmp_path):
    from qgis.core import QgsLayoutItemLegend, QgsLayoutItemMap, QgsLayoutItemPicture, QgsLayoutItemScaleBar

    engine, inputs = built
    uid = engine.ordered_units()[0]
    code = engine.unit_code(uid)
    keep: list = []
    write_unit_maps(engine, inputs, tmp_path, units=[code], keep_layouts=keep)
    project, layout, (page,) = keep[0]
    try:
        items = layout.items()
        assert any(isinstance(i, QgsLayoutItemLegend) for i in items)
        assert any(isinstance(i, QgsLayoutItemScaleBar) for i in items)
        arrows = [i for i in items if isinstance(i, QgsLayoutItemPicture)]
        assert arrows and arrows[0].picturePath()
        maps = [i for i in items if isinstance(i, QgsLayoutItemMap)]
        assert len(maps) == 1
        minx, miny, maxx, maxy = engine.unit_geometry(uid).bounds
        extent = maps[0].extent()
        assert extent.xMinimum() < minx and extent.yMinimum() < miny
        assert extent.xMaximum() > maxx and extent.yMaximum() > maxy
        assert page.scale_bar.units() == page.scale_bar.units().__class__(0) or page.scale_bar.unitLabel()
        assert code in page.title.text()
        # the legend lists the remediation types drawn in the unit, no others
        legend_layer = page.layers.parcels
        drawn = {f["ZZLX"] or None for f in legend_layer.getFeatures()}
        categories = {c.value() or None for c in legend_layer.renderer().categories()}
        assert categories == drawn
        assert set(engine.type_areas(uid)) <= categories
        nodes = page.legend.model().rootGroup().findLayers()
        assert legend_layer.id() in [n.layerId() for n in nodes]
        # the balance table: 三大类 and 一级类 rows of structure_rows, ha and mu
        rows = [r for r in structure_rows(engine, uid, True) if r.level < 2]
        contents = page.structure_table.tableContents()[page.structure_first_row:]
        assert len(contents) == len(rows)
        for r, cells in zip(rows, contents):
            expected = [r.before_m2 / HECTARE_M2, r.after_m2 / HECTARE_M2, r.change_m2 / HECTARE_M2,
                        r.before_m2 / MU_M2, r.after_m2 / MU_M2, r.change_m2 / MU_M2]
            assert [c.content() for c in cells[1:]] == pytest.approx(expected, abs=1e-9)
        assert len(page.indicator_table.tableContents()) == len(engine.evaluate(uid))
        # every item on the page, none over the footer
        for item in (page.legend, page.map, page.title):
            assert item.pos().y() + item.rect().height() <= page.footer.pos().y() + 0.01
    finally:
        project.removeAllMapLayers()
        del page, layout, keep, project


def test_cli_report_maps(qgis_app, demo, built, tmp_path):
    import argparse

    from plugin.cli.report import add_command

    engine, _inputs = built
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command")
    add_command(sub)
    maps = tmp_path / "maps"
    args = ap.parse_args(["report", "--parcels", src(demo, "DLTB"), "--units", src(demo, "ZZDY"),
                          "--pbf", src(demo, "YJJBNTTB"), "--maps", str(maps)])
    assert args.func(args) == 0
    assert sorted(p.name for p in maps.iterdir()) == sorted(f"{c}.pdf" for c in _codes(engine))


def test_processing_plan_report_with_maps_folder(provider, demo, built, tmp_path):
    import processing

    engine, _inputs = built
    codes = _codes(engine)
    maps = tmp_path / "maps"
    params = {"PARCELS": src(demo, "DLTB"), "UNITS": src(demo, "ZZDY"), "UNIT_FIELD": "DYBH",
              "PBF": src(demo, "YJJBNTTB"), "UNIT_CODES": ",".join(codes[:2]), "OUTPUT": str(tmp_path / "r.xlsx"),
              "MAPS_FOLDER": str(maps)}
    result = processing.run("landconsolidation:planreport", params)
    assert Path(result["MAPS_FOLDER"]) == maps
    assert sorted(p.name for p in maps.iterdir()) == sorted(f"{c}.pdf" for c in codes[:2])
    for path in maps.iterdir():
        assert _pdf_pages(path) == 1
    # without the folder: no maps, the report as before
    result = processing.run("landconsolidation:planreport", {**params, "MAPS_FOLDER": None,
                                                             "OUTPUT": str(tmp_path / "r2.xlsx")})
    assert not result.get("MAPS_FOLDER") and (tmp_path / "r2.xlsx").exists()


def _indicator_title(keep) -> str:
    from qgis.core import QgsLayoutItemLabel

    _project, layout, _pages = keep[0]
    titles = [i.text() for i in layout.items()
              if isinstance(i, QgsLayoutItemLabel) and i.text().startswith(("Indicators", "指标"))]
    assert len(titles) == 1, titles
    return titles[0]


def test_untagged_unit_map_says_not_planned(demo, built, tmp_path):
    """The map's verdict is the workbench's: a unit with nothing tagged is 'not planned', not 'fails'."""
    engine, inputs = built
    code = engine.unit_code(engine.ordered_units()[0])
    keep: list = []
    write_unit_maps(engine, inputs, tmp_path / "tagged", units=[code], keep_layouts=keep)
    try:
        assert "未规划" not in _indicator_title(keep)
    finally:
        keep[0][0].removeAllMapLayers()
        keep.clear()
    fresh_inputs = _inputs(demo)
    fresh, _reader = build_engine(fresh_inputs, bundled_pack("national"))
    untagged = 0
    for pid in fresh.parcel_ids():
        raw = fresh.raw_record(pid)
        if raw.zzlx or raw.ghdlbm:
            values = {s: getattr(raw, s) for s in raw.__slots__}
            values.update(zzlx=None, ghdlbm=None, ghkcxs=None, yncz=None)
            fresh.update_parcel_attributes(pid, type(raw)(**values))
            untagged += 1
    assert untagged > 0
    write_unit_maps(fresh, fresh_inputs, tmp_path / "untagged", units=[code], keep_layouts=keep)
    try:
        assert "未规划" in _indicator_title(keep)  # the maps are in Chinese by default
    finally:
        keep[0][0].removeAllMapLayers()
        keep.clear()
        del fresh, fresh_inputs


@pytest.mark.parametrize("chinese", [True, False])
def test_contiguity_numbers_on_the_map(built, tmp_path, chinese):
    """The map's 集中连片 block shows, for farmland before and after, the unit's patch count, largest
    patch and 百亩方/千亩方/万亩方 areas as computed by the contiguity of that unit (read from the label)."""
    from plugin.adapters.contiguity import compute
    from plugin.core.contiguity_report import layer_name

    engine, inputs = built
    state = compute(engine)
    # the unit with the most farmland patches, so the numbers are not all zero
    uid = max(engine.ordered_units(), key=lambda u: state.stats(u)["farmland_before"].count)
    code = engine.unit_code(uid)
    keep: list = []
    write_unit_maps(engine, inputs, tmp_path, units=[code], keep_layouts=keep, chinese=chinese)
    project, layout, (page,) = keep[0]
    try:
        text = page.contiguity_label.text()
        assert page.contiguity_label in layout.items()
        lines = text.split("\n")
        stats = state.stats(uid)
        assert stats["farmland_before"].count > 0
        def numbers(line: str) -> list[float]:
            return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", line)]

        for layer in ("farmland_before", "farmland_after"):
            s = stats[layer]
            at = lines.index(layer_name(layer, chinese))  # the layer's name, then its numbers
            assert numbers(lines[at + 1]) == [s.count, pytest.approx(round(s.largest / MU_M2, 1), abs=1e-9)]
            for k, (block, count, area) in enumerate(s.blocks, start=at + 2):
                assert block.name(chinese) in lines[k]
                shown = lines[k].replace(block.name(chinese), "")  # "100-mu blocks": digits of the name
                assert numbers(shown) == [count, pytest.approx(round(area / MU_M2, 1), abs=1e-9)]
        assert any(n > 0 for s in stats.values() for _b, n, _a in s.blocks)  # a 百亩方 at least is shown
        assert ("mu" in text) != chinese  # the page speaks one language
        bottom = page.contiguity_label.pos().y() + page.contiguity_label.rect().height()
        assert bottom <= page.footer.pos().y() + 0.01
        box = page.contiguity_label.sceneBoundingRect()
        for other in (page.legend, page.map, page.structure_table.frame(0), page.indicator_table.frame(0)):
            assert not box.intersects(other.sceneBoundingRect())  # drawn on its own, over nothing
    finally:
        project.removeAllMapLayers()
        del page, layout, keep, project
