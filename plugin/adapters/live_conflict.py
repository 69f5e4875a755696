"""The planner's sentence for an edit or a save refused by the version check (issue 12;
docs/postgis.md, "Refused saves"): the database's ``LC409`` error carries a machine-readable detail
``lc-conflict {json}`` (table, key, who, when); :func:`conflict_message` turns it into one translated
sentence naming who and when."""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Iterable, Iterator, Optional

from ..core.i18n import tr
from .postgis.split_check_sql import PIECE_VERSION_BASE  # a piece's versions count from here, a parcel's below

STAMP_COMMAND = "land-consolidation: versions read"  # the undo step of the stamps
_CONFLICT = re.compile(r"lc-conflict (\{.*\})")
_REFUSED = re.compile(r"lc-refused (\{.*?\})")


def _local_time(text: str) -> str:
    """A database timestamp (ISO, with its offset) in this computer's time zone, to the second."""
    try:
        return datetime.fromisoformat(text).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return text[:19].replace("T", " ")


def _details(errors: Iterable[str], pattern: re.Pattern[str]) -> Iterator[dict]:
    """The JSON details ``errors`` carry under ``pattern``, in order (texts without one, or a broken one: skipped)."""
    for text in errors:
        match = pattern.search(str(text))
        if not match:
            continue
        try:
            yield json.loads(match.group(1))
        except ValueError:
            continue


def conflict_message(errors: Iterable[str], saving: bool = False) -> Optional[str]:
    """The planner's sentence for a commit (or, under transaction groups, an edit) refused by the
    version check (None: not such a refusal); ``saving``: an edit checked as the save began."""
    for info in _details(errors, _CONFLICT):
        return _sentence(info, saving) + _split_since(info)
    return None


def _split_since(info: dict) -> str:
    """A row of the ``parcels`` view read whole and now a piece (another planner split the parcel since), or read as
    a piece and now whole (its split undone): the sentence that says so ("" otherwise)."""
    read, now = info.get("read"), info.get("version")
    if info.get("table") == "plan_unit" or not isinstance(read, int) or not isinstance(now, int):
        return ""
    if read < PIECE_VERSION_BASE <= now:
        return " " + tr("Since you read it, the parcel was split into pieces: your edits of it would apply to the "
                        "piece that kept its number only, not to the other pieces.")
    if now < PIECE_VERSION_BASE <= read:
        return " " + tr("Since you read it, the parcel's split was undone: it is whole again.")
    return ""


def _sentence(info: dict, saving: bool) -> str:
    """The refusal's sentence: what, by whom, when, and what the planner can do."""
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


def refusal_message(errors: Iterable[str]) -> Optional[str]:
    """The planner's sentence for an edit the ``parcels`` view refuses (SQLSTATE ``LC403``, detail
    ``lc-refused {kind, fid}``: postgis/split_sql.py); None: not such a refusal."""
    for info in _details(errors, _REFUSED):
        fid = info.get("fid")
        sentences = {
            "survey": tr("Not saved: parcel {0}: only the plan fields (ZZLX, GHDLBM, GHKCXS, YNCZ) can be changed in "
                         "the planning layer; the survey is the data of record."),
            "delete": tr("Not saved: parcel {0} is a survey parcel, the data of record: it is not deleted in the "
                         "planning layer. Deleting or merging the pieces of a split parcel gives the parcel back."),
            "merge": tr("Not saved: parcel {0} can only be cut into pieces inside its survey parcel: survey parcels "
                        "are not merged or reshaped in the planning layer."),
            "insert": tr("Not saved: a feature added to the planning layer must be a piece cut from one survey "
                         "parcel (its survey fields, inside it): survey parcels are not added or merged."),
        }
        sentence = sentences.get(info.get("kind"))
        if sentence is None:
            continue
        return sentence.format(fid) + " " + tr("Your edits stay in the layer's edit buffer (nothing is lost): undo "
                                               "the ones that are refused, then save again.")
    return None
