"""core/i18n: the one answer to "is the UI Chinese?" follows the translation installed."""

from __future__ import annotations

from plugin.core import i18n
from plugin.core.rules import bundled_pack
from plugin.core.verdicts import basis_text

ZH = {"Met": "达标", "Area balance": "面积平衡"}


def _zh(_context: str, text: str) -> str:
    return ZH.get(text, text)


def test_chinese_follows_the_installed_translation():
    assert i18n.chinese() is False and i18n.tr("Met") == "Met"
    with i18n.using(_zh, "zh_CN"):
        assert i18n.chinese() is True and i18n.language() == "zh_CN"
        assert i18n.tr("Area balance") == "面积平衡"
        with i18n.using(i18n.installed(), "en_US"):  # unit maps: an English page inside a Chinese UI
            assert i18n.chinese() is False
        assert i18n.chinese() is True
    assert i18n.chinese() is False and i18n.tr("Area balance") == "Area balance"


def test_language_names():
    assert [i18n.language_is_chinese(n) for n in ("zh", "zh_CN", "zh-Hans", "en_US", "", None)] == [
        True, True, True, False, False, False]


def test_data_file_texts_follow_the_ui_language():
    rule = next(r for r in bundled_pack("national").rules if not r.verified and r.unverified_reason(True))
    english = basis_text(rule)
    with i18n.using(_zh, "zh_CN"):
        chinese = basis_text(rule)
    assert rule.unverified_reason(True) in chinese and rule.unverified_reason(False) in english
