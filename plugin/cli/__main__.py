"""``python -m plugin.cli``: see ``plugin/cli/__init__.py``."""

from .startup import defer_qgis_gui, leave, no_huge_pages, preload, start_qgis

defer_qgis_gui()  # before anything imports qgis: no command needs its widgets
no_huge_pages()  # before anything imports numpy
preload()  # what the commands share, imported while QGIS starts (plugin/cli/startup.py)
start_qgis()

from .app import main  # noqa: E402

leave(main())
