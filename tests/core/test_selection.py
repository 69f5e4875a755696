import pytest
from shapely.geometry import box

from plugin.core.engine import BalanceEngine
from plugin.core.selection import UnknownUnitsError, units_by_code


def engine_with_units(*codes):
    e = BalanceEngine()
    e.build([], [(i, code, box(i, 0, i + 1, 1)) for i, code in enumerate(codes)])
    return e


def test_all_units_by_code_in_order_with_shared_codes_together():
    e = engine_with_units("B", "A", "B")
    assert units_by_code(e) == {"A": [1], "B": [0, 2]}


def test_chosen_codes_in_the_order_given_blank_and_repeats_ignored():
    e = engine_with_units("A", "B", "C")
    assert list(units_by_code(e, ["C", " A ", "", "C"])) == ["C", "A"]


def test_unknown_code_names_it_and_the_codes_there_are():
    e = engine_with_units("ZZDY-001", "ZZDY-002")
    with pytest.raises(UnknownUnitsError, match="NOPE.*ZZDY-001, ZZDY-002"):
        units_by_code(e, ["ZZDY-001", "NOPE"])
