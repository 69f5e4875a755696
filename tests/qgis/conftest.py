"""Fixtures for headless QGIS tests of the plugin's life cycle (pytest-qgis 2.1 mock iface)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "land_consolidation"  # the folder name the plugin gets when installed


@pytest.fixture(scope="session")
def plugin_package():
    """The repository root imported as the installed plugin package ``land_consolidation``.

    QGIS imports the plugin folder as a top-level package and calls its ``classFactory``;
    doing the same here checks that every import inside ``plugin/`` is relative.
    """
    if PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            PACKAGE, ROOT / "__init__.py", submodule_search_locations=[str(ROOT)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = module
        spec.loader.exec_module(module)
    return sys.modules[PACKAGE]


@pytest.fixture()
def clean_locale(qgis_app):
    """English QGIS settings before and after the test (translator removed)."""
    from qgis.core import QgsSettings

    settings = QgsSettings()
    settings.setValue("locale/overrideFlag", True)
    settings.setValue("locale/userLocale", "en_US")
    yield settings
    settings.setValue("locale/userLocale", "en_US")


@pytest.fixture(scope="session")
def make_demo(tmp_path_factory, qgis_app):
    """``make_demo(n_parcels, seed)`` -> path of a demo township GeoPackage, made once per session.

    Tests must not edit the file they get (copy it first): other modules may share it.
    """
    from plugin.demo.writer import write_demo_gpkg

    made: dict = {}

    def make(n_parcels: int = 600, seed: int = 5) -> Path:
        key = (n_parcels, seed)
        if key not in made:
            path = tmp_path_factory.mktemp("demo") / f"township_{n_parcels}_{seed}.gpkg"
            write_demo_gpkg(str(path), n_parcels=n_parcels, seed=seed)
            made[key] = path
        return made[key]

    return make


@pytest.fixture(scope="module")
def provider(qgis_processing):
    """The plugin's Processing provider, registered for the test module."""
    from qgis.core import QgsApplication

    from plugin.processing.provider import PROVIDER_ID, LandConsolidationProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById(PROVIDER_ID) is not None:  # left by another test module
        registry.removeProvider(PROVIDER_ID)
    prov = LandConsolidationProvider()
    assert registry.addProvider(prov)
    yield prov
    registry.removeProvider(PROVIDER_ID)


@pytest.fixture()
def message_bar(qgis_iface):
    """The mock message bar, emptied before and after the test."""
    bar = qgis_iface.messageBar()
    for messages in bar.messages.values():
        messages.clear()
    yield bar
    for messages in bar.messages.values():
        messages.clear()


@pytest.fixture()
def logged():
    """Messages written to QGIS's message log during the test: (tag, text, level)."""
    seen = []

    def on_message(message, tag, level):
        seen.append((tag, message, level))

    from qgis.core import QgsApplication

    QgsApplication.messageLog().messageReceived.connect(on_message)
    yield seen
    QgsApplication.messageLog().messageReceived.disconnect(on_message)
