"""Hand-made rule packs: every malformed file gives one RulePackError naming each problem's place
in the file (never a TypeError/KeyError/RecursionError traceback); Notepad's encodings load."""
import copy
import json

import pytest

from plugin.core import rule_schema
from plugin.core.rules import PACK_DIR, RulePackError, load_pack

NATIONAL = json.loads((PACK_DIR / "national.json").read_text(encoding="utf-8"))


def pack_with(**changes):
    data = copy.deepcopy(NATIONAL)
    data.update(changes)
    return data


def rule_with(i=0, **changes):
    data = copy.deepcopy(NATIONAL)
    data["rules"][i].update(changes)
    return data


def write(tmp_path, data, name="bad.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# (pack, text expected in the message: the place in the file and what was found)
MALFORMED = [
    ([], ["(whole file)", "a JSON object"]),
    ("null", ["(whole file)", "null"]),
    (pack_with(id=7), ["id: expected text, found the number 7"]),
    (pack_with(id="../../etc/passwd"), ["id: expected a short name"]),
    ({k: v for k, v in NATIONAL.items() if k != "id"}, ["id: required, but missing"]),
    (pack_with(name=["x"]), ["name: expected text or an object"]),
    (pack_with(categories=[1, 2]), ["categories: expected an object of categories, found a list of 2 items"]),
    (pack_with(categories={"farmland": "0101"}), ["categories.farmland: expected an object"]),
    (pack_with(categories={**NATIONAL["categories"], "farmland": {"codes": [101, None]}}),
     ["categories.farmland.codes[0]: expected non-empty text, found the number 101",
      "categories.farmland.codes[1]: expected non-empty text, found null"]),
    (pack_with(flows={"f": {"from": "farmland"}}), ["flows.f.to: required, but missing"]),
    (pack_with(flows={"f": {"from": "farmland", "to": "nowhere"}}), ["flows.f: names unknown category nowhere"]),
    (pack_with(flows={"f": {"from": ["farmland"], "to": "farmland"}}), ["flows.f.from: expected text"]),
    (pack_with(rules={"a": 1}), ["rules: expected a list of rules"]),
    (pack_with(rules=[]), ["rules: the pack has no rules"]),
    (pack_with(rules=["farmland_gain_ratio"]), ["rules[0]: expected an object, found text"]),
    (rule_with(0, threshold="nan"), ['rules[0].threshold: expected a finite number, found text "nan"']),
    (rule_with(1, threshold=None), ["rules[1].threshold: expected a finite number, found null"]),
    (rule_with(2, threshold=True), ["rules[2].threshold: expected a finite number, found true/false"]),
    (rule_with(3, threshold=[0]), ["rules[3].threshold: expected a finite number, found a list of 1 items"]),
    (rule_with(0, op="=>"), ['rules[0].op: expected one of ">=", ">", "<=", "<", "==", found text "=>"']),
    (rule_with(0, severity="fatal"), ["rules[0].severity: expected one of"]),
    (rule_with(0, scope=1), ["rules[0].scope: expected one of"]),
    (rule_with(0, format=None), ["rules[0].format: expected one of"]),
    (rule_with(0, formula=5), ["rules[0].formula: expected text, found the number 5"]),
    (rule_with(0, formula="farmland_after **"), ['rule "farmland_gain_ratio".formula', "not valid arithmetic"]),
    (rule_with(0, formula="(" * 300 + "1" + ")" * 300), ["not valid arithmetic"]),
    (rule_with(0, formula="+".join(["x"] * 600)), ["more than 500 terms"]),
    (rule_with(0, formula="1" * 5000), ["formula longer than"]),
    (rule_with(0, formula="1e999 * farmland_after"), ["too large"]),
    (rule_with(0, formula="farmlnd_after - 1"), ["unknown variables: farmlnd_after"]),
    (rule_with(0, verified="yes"), ["rules[0].verified: expected true or false"]),
    (rule_with(0, id=None), ["rules[0].id: expected text, found null"]),
    (pack_with(rules=[NATIONAL["rules"][0], NATIONAL["rules"][0]]),
     ['rules[1].id: the id "farmland_gain_ratio" is used twice']),
    (pack_with(extends=["national"]), ["extends: expected text"]),
    (pack_with(extends="../national"), ["extends: expected a short name"]),
    (pack_with(extends="no_such_pack"), ["Rule pack not found"]),
    (pack_with(id="loop", extends="loop"), ["extends itself"]),
]


@pytest.mark.parametrize("data, expected", MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
def test_malformed_pack_names_each_problem(tmp_path, data, expected):
    path = write(tmp_path, data if not isinstance(data, str) else data)
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    message = str(info.value)
    for text in expected:
        assert text in message, message


def test_every_problem_of_a_file_is_listed_at_once(tmp_path):
    data = copy.deepcopy(NATIONAL)
    data["rules"][0]["threshold"] = "nan"
    data["rules"][2]["op"] = "=>"
    data["rules"][4]["severity"] = 3
    with pytest.raises(RulePackError) as info:
        load_pack(write(tmp_path, data))
    assert [p.split(":")[0] for p in info.value.problems] == ["rules[0].threshold", "rules[2].op", "rules[4].severity"]


@pytest.mark.parametrize("text, where", [
    ('{"id": "x", "rules": [{"id": "a", "formula": "1", "threshold": NaN}]}', "rules[0].threshold"),
    ('{"id": "x", "rules": [{"id": "a", "formula": "1", "threshold": -Infinity}]}', "rules[0].threshold"),
    ('{"id": "x", "rules": [{"id": "a", "formula": "1", "threshold": 1e400}]}', "rules[0].threshold"),
])
def test_non_finite_thresholds_are_refused(tmp_path, text, where):
    with pytest.raises(RulePackError, match=r"expected a finite number") as info:
        load_pack(write(tmp_path, text))
    assert where in str(info.value)


@pytest.mark.parametrize("text, what", [
    ("[" * 100_000 + "]" * 100_000, "nested"),
    ('{"id": "x",', "not valid JSON"),
    ('{"id": "x", "id": }', "not valid JSON"),
    ("\x00\x01binary", "binary"),
])
def test_unreadable_files_give_a_message(tmp_path, text, what):
    with pytest.raises(RulePackError, match=what):
        load_pack(write(tmp_path, text))


def test_file_size_and_rule_count_are_limited(tmp_path, monkeypatch):
    monkeypatch.setattr(rule_schema, "MAX_PACK_BYTES", 2000)
    with pytest.raises(RulePackError, match="larger than"):
        load_pack(PACK_DIR / "national.json")
    monkeypatch.undo()
    rules = [dict(NATIONAL["rules"][0], id=f"r{i}") for i in range(rule_schema.MAX_RULES + 1)]
    with pytest.raises(RulePackError, match="at most"):
        load_pack(write(tmp_path, pack_with(rules=rules)))


def test_undecodable_bytes_are_a_message(tmp_path):
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"id": "x", "name": "\xff\xfe\xfd\x80\x80"}')  # neither UTF-8 nor GB 18030
    with pytest.raises(RulePackError, match="neither UTF-8 nor GBK"):
        load_pack(path)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8", "utf-16"])
def test_notepad_encodings_are_accepted(tmp_path, encoding):
    text = (PACK_DIR / "national.json").read_text(encoding="utf-8")
    path = tmp_path / f"national_{encoding}.json"
    path.write_bytes(text.encode(encoding))  # GBK: what Notepad's "ANSI" writes on a Chinese Windows
    pack = load_pack(path)
    assert pack.name_zh.startswith("全国默认规则")
    assert pack.rule("farmland_gain_ratio").zh == "新增耕地率"
    assert [r.id for r in pack.rules] == [r["id"] for r in NATIONAL["rules"]]


def test_child_pack_in_gbk_extends_the_bundled_one(tmp_path):
    path = tmp_path / "local.json"
    path.write_bytes(json.dumps({"id": "local", "extends": "national", "name": "本地规则",
                                 "rules": [{"id": "farmland_gain_ratio", "threshold": 0.08}]},
                                ensure_ascii=False).encode("gbk"))
    pack = load_pack(path)
    assert pack.name_zh == "本地规则" and pack.rule("farmland_gain_ratio").threshold == 0.08


def test_bundled_packs_pass_the_schema():
    for path in sorted(PACK_DIR.glob("*.json")):
        c = rule_schema.Checker()
        rule_schema.check_file(rule_schema.read_file(path), c)
        assert c.problems == [], path


def test_a_long_chain_of_extends_is_refused(tmp_path):
    for i in range(12):
        data = {"id": f"p{i}", "extends": f"p{i + 1}" if i < 11 else "national", "rules": []}
        write(tmp_path, data, f"p{i}.json")
    with pytest.raises(RulePackError, match="extend each other"):
        load_pack(tmp_path / "p0.json")


def test_random_damage_gives_a_rule_pack_error_or_a_valid_pack(tmp_path):
    """A seeded loop: replace a random value of the national pack by a value of another kind."""
    import random

    rng = random.Random(9)
    junk = [None, True, 0, -1.5, "", "nan", "x", [], [1, "a"], {}, {"a": [None]}, "9" * 50, 1e308]

    def paths(node, at=()):
        yield at
        if isinstance(node, dict):
            for k, v in node.items():
                yield from paths(v, (*at, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from paths(v, (*at, i))

    every = list(paths(NATIONAL))[1:]
    outcomes = {"error": 0, "loaded": 0}
    for n in range(400):
        data = copy.deepcopy(NATIONAL)
        for _ in range(rng.randint(1, 3)):
            at = rng.choice(every)
            node = data
            try:
                for k in at[:-1]:
                    node = node[k]
                node[at[-1]] = rng.choice(junk)
            except (KeyError, IndexError, TypeError):
                continue
        path = write(tmp_path, data, f"fuzz{n}.json")
        try:
            pack = load_pack(path)
        except RulePackError as exc:
            assert (str(exc).strip() and exc.problems) or "cannot be used" in str(exc) or "not found" in str(exc)
            outcomes["error"] += 1
            continue
        outcomes["loaded"] += 1
        for rule in pack.rules:  # a pack that loads is usable: finite thresholds, known comparisons
            assert rule.threshold == rule.threshold and abs(rule.threshold) != float("inf")
            assert rule.passes(1.0) in (True, False)
    assert outcomes["error"] > 100 and outcomes["loaded"] > 10, outcomes
