"""``python -m plugin.cli``: see ``plugin/cli/__init__.py``."""

import sys

from .startup import defer_qgis_gui

defer_qgis_gui()  # before anything imports qgis: no command needs its widgets

from .app import main  # noqa: E402

sys.exit(main())
