"""For the tests' child processes that use QGIS's auth manager (``QGIS_AUTH_DB_DIR_PATH`` set to a
temporary folder by the parent, so the test session's QGIS profile is never touched): QGIS started,
the master password set programmatically and a *Basic* configuration stored."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MASTER = "master-of-the-test"


def basic_config(user: str, password: str, name: str = "county") -> str:
    """Start QGIS (headless), unlock the auth database and store a Basic config: its id."""
    from plugin.cli.common import start_qgis

    start_qgis()
    from qgis.core import QgsApplication, QgsAuthMethodConfig

    manager = QgsApplication.authManager()
    assert manager.setMasterPassword(MASTER, True)
    config = QgsAuthMethodConfig()
    config.setName(name)
    config.setMethod("Basic")
    config.setConfig("username", user)
    config.setConfig("password", password)
    stored = manager.storeAuthenticationConfig(config)
    config = stored[1] if isinstance(stored, tuple) else config
    return config.id()


def run_child(code: str, auth_dir, *args: str, timeout: int = 240) -> subprocess.CompletedProcess:
    """``code`` in a fresh Python with its own auth database folder ``auth_dir``."""
    env = {**os.environ, "QGIS_AUTH_DB_DIR_PATH": str(auth_dir), "QT_QPA_PLATFORM": "offscreen",
           "PYTHONFAULTHANDLER": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=env)
