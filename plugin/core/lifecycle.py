"""The life cycle of a remediation unit (整治单元状态, the ZZDY field ``ZT``).

A unit is 储备 (reserve) until the project is approved (立项), then under works (实施) and
finally accepted (验收). The units panel offers these values and the demo township uses them;
docs/domain.md (Units) describes the unit table.
"""
from __future__ import annotations

#: the unit statuses, in life-cycle order; the first one is a new unit's default
STATUSES = ("储备", "立项", "实施", "验收")
