"""Where the plugin's data files live. Data, not code: users read and extend them."""
from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a bundled data file under ``resources/``."""
    return RESOURCES.joinpath(*parts)
