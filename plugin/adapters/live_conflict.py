"""The planner's sentence for an edit or a save refused by the version check (issue 12;
docs/postgis.md, "Refused saves"): the database's ``LC409`` error carries a machine-readable detail
``lc-conflict {json}`` (table, key, who, when); :func:`conflict_message` turns it into one translated
sentence naming who and when."""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Iterable, Optional

from ..core.i18n import tr

STAMP_COMMAND = "land-consolidation: versions read"  # the undo step of the stamps
_CONFLICT = re.compile(r"lc-conflict (\{.*\})")


def _local_time(text: str) -> str:
    """A database timestamp (ISO, with its offset) in this computer's time zone, to the second."""
    try:
        return datetime.fromisoformat(text).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return text[:19].replace("T", " ")


def conflict_message(errors: Iterable[str], saving: bool = False) -> Optional[str]:
    """The planner's sentence for a commit (or, under transaction groups, an edit) refused by the
    version check (None: not such a refusal); ``saving``: an edit checked as the save began."""
    for text in errors:
        match = _CONFLICT.search(str(text))
        if not match:
            continue
        try:
            info = json.loads(match.group(1))
        except ValueError:
            continue
        who = info.get("by") or info.get("role") or tr("another planner")
        if info.get("by") and info.get("role"):
            who = f"{info['by']} ({info['role']})"
        when = _local_time(str(info.get("at") or ""))
        what = tr("Unit {0}") if info.get("table") == "plan_unit" else tr("Parcel {0}")
        if info.get("transaction") and saving:  # checked in the save: undone, the rest saved, no Redo after it
            return tr("Not saved: {0} was changed by {1} at {2}, after you read it. Your edit of it was undone and "
                      "your other edits saved: to write yours over theirs, choose Save mine over theirs, then make "
                      "the edit again.").format(what.format(info.get("key")), who, when)
        if info.get("transaction"):  # postgis/tx_check: the edit was undone at once
            return tr("Not saved: {0} was changed by {1} at {2}, after you read it. Your edit was undone (Redo "
                      "brings it back): to write yours over theirs, choose Save mine over theirs, then Redo.").format(
                what.format(info.get("key")), who, when)
        return tr("Not saved: {0} was changed by {1} at {2}, after you read it. Your edits stay in the layer's edit "
                  "buffer (nothing is lost): undo the ones you do not want, or save yours over theirs.").format(
            what.format(info.get("key")), who, when)
    return None
