"""``python -m plugin.cli``: see ``plugin/cli/__init__.py``."""

from .startup import defer_qgis_gui, leave

defer_qgis_gui()  # before anything imports qgis: no command needs its widgets

from .app import main  # noqa: E402

leave(main())
