"""``python -m plugin.cli``: see ``plugin/cli/__init__.py``."""

import sys

from .app import main

sys.exit(main())
