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
