import json

import pytest

from plugin.core.rules import Formula, FormulaError, RulePackError, available_packs, load_pack


def test_formula_arithmetic_and_functions():
    f = Formula("(a_after - a_before) / a_before + max(0, -x) * 2")
    assert f.variables == {"a_after", "a_before", "x"}
    assert f.evaluate({"a_after": 105, "a_before": 100, "x": -1}) == pytest.approx(2.05)


def test_division_by_zero_means_not_applicable():
    assert Formula("a / b").evaluate({"a": 1, "b": 0}) is None


@pytest.mark.parametrize("text", ["__import__('os').system('x')", "a.b", "a ** 2", "[1][0]", "a if b else c",
                                  "lambda: 1", "open('f')", "a < b", "'text'", "True"])
def test_formula_rejects_anything_but_arithmetic(text):
    with pytest.raises(FormulaError):
        Formula(text)


def test_bundled_packs_load_and_national_has_the_contract_rules():
    ids = {p.stem for p in available_packs()}
    assert {"national", "jiangsu", "zhejiang"} <= ids
    national = load_pack("national")
    rule_ids = [r.id for r in national.rules]
    assert "farmland_gain_ratio" in rule_ids and "construction_land_change_m2" in rule_ids
    fg = national.rule("farmland_gain_ratio")
    assert (fg.op, fg.threshold, fg.severity) == (">=", 0.05, "error")
    for pack_id in ("jiangsu", "zhejiang"):
        pack = load_pack(pack_id)
        assert pack.rule("farmland_gain_ratio").source != fg.source  # province cites its own text
        assert all(r.source for r in pack.rules)


def test_pack_extends_overrides_and_removes(tmp_path):
    (tmp_path / "local.json").write_text(json.dumps({
        "id": "local", "extends": "national", "name": {"zh": "本地", "en": "Local"},
        "rules": [{"id": "farmland_gain_ratio", "threshold": 0.08},
                  {"id": "ecological_land_change_m2", "remove": True}],
    }), encoding="utf-8")
    pack = load_pack(tmp_path / "local.json")
    assert pack.rule("farmland_gain_ratio").threshold == 0.08
    assert pack.rule("farmland_gain_ratio").formula.text.startswith("(farmland_after")
    with pytest.raises(KeyError):
        pack.rule("ecological_land_change_m2")


def test_pack_with_unknown_variable_names_the_rule(tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps({
        "id": "bad", "extends": "national",
        "rules": [{"id": "typo", "formula": "farmlnd_after - 1", "threshold": 0}],
    }), encoding="utf-8")
    with pytest.raises(RulePackError, match="typo.*farmlnd_after"):
        load_pack(tmp_path / "bad.json")


def test_missing_pack_file_is_a_clear_error(tmp_path):
    with pytest.raises(RulePackError, match="not found"):
        load_pack(tmp_path / "nope.json")


def test_categories_follow_the_land_class_table():
    pack = load_pack("national")
    assert pack.categories_of("0101") >= {"farmland", "agricultural"}
    assert "construction" in pack.categories_of("1201")
    assert "construction" not in pack.categories_of("1006")  # 农村道路 is agricultural land
    assert "ecological" in pack.categories_of("0402")


CJK = "\u3400-\u9fff"


@pytest.mark.parametrize("path", available_packs(), ids=lambda p: p.stem)
def test_users_see_citations_and_reasons_not_internal_notes(path):
    """A rule's source is the policy citation a planner can look up; internal remarks ("seed 002")
    live in ``note``; an unverified rule says why, in both languages."""
    import re

    pack = load_pack(path)
    for rule in pack.rules:
        assert rule.source, rule.id
        assert not re.search(r"seed|待核实", rule.source, re.I), (rule.id, rule.source)
        assert rule.en and not re.search(f"[{CJK}]", rule.en), rule.id
        if not rule.verified:
            assert rule.unverified_reason(True) and rule.unverified_reason(False), rule.id
            assert not re.search(f"[{CJK}]", rule.unverified_reason(False)), rule.id
        else:
            assert rule.unverified_reason(True) == ""


def test_unverified_basis_and_verdict_words():
    from plugin.core.verdicts import basis_text, rule_state, severity_text, unit_state, verdict_text

    pack = load_pack("jiangsu")
    rule = pack.rule("pbf_adjust_share")
    assert basis_text(rule, True).startswith("依据待核实：二手资料")
    assert rule.source in basis_text(rule, True)
    assert basis_text(pack.rule("farmland_gain_ratio"), True) == pack.rule("farmland_gain_ratio").source
    assert [verdict_text(rule_state(p, s), True) for p, s in ((True, "error"), (False, "error"),
                                                              (False, "warning"), (None, "error"))] == \
        ["达标", "不达标", "预警", "不适用"]
    assert severity_text("error", True) == "约束性" and severity_text("warning", False) == "Advisory"

    class Engine:  # a unit with rules that fail but nothing tagged is 未规划, not 不达标
        def __init__(self, types):
            self.types = types

        def has_unit(self, uid):
            return uid == "u"

        def type_areas(self, uid):
            return self.types

        def evaluate(self, uid):
            from plugin.core.engine import RuleResult

            return [RuleResult("u", "farmland_gain_ratio", 0.0, 0.05, False, "error")]

    assert unit_state(Engine({}), "u") == "not_planned"
    assert verdict_text(unit_state(Engine({}), "u"), True) == "未规划"
    assert unit_state(Engine({"NY-HF": 12.5}), "u") == "not_met"
    assert unit_state(None, "u") == "not_computed"
