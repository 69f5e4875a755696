"""The plugin's two exceptions every front end catches (docs/architecture.md, "Errors").

* ``PlanError``: something the planner can act on — bad input, an output that would overwrite its
  input, a rule pack that does not load. Its message is already translated (``tr``) and names what
  to do. The docks show it in the message bar, Processing raises it as a
  ``QgsProcessingException``, the CLI prints it and exits 2. Never a traceback.
* ``Cancelled``: the user (or a newer edit) cancelled long work; nothing half-written stays.

More specific classes derive from these two so that a front end needs only two ``except`` clauses.
"""

from __future__ import annotations


class PlanError(Exception):
    """A problem the planner can fix; the message says how (translated)."""


class Cancelled(Exception):
    """Long work was cancelled; callers stop quietly and leave nothing half-done."""
