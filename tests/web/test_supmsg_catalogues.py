"""The desktop's supervisor-message catalogue (web/i18n/desktop/supmsg.<lang>.json): the same keys and
placeholders in five languages, translated, no key of another desktop area, and exactly the keys the banner
(desktop/SupervisorMessages.tsx) names."""

from __future__ import annotations

import json
import re

from blendcc.api.routes_widget import WEB

LANGS = ("en", "pl", "ru", "zh", "fa")
FOLDER = WEB / "i18n" / "desktop"


def load(lang: str) -> dict[str, str]:
    out: dict[str, str] = json.loads((FOLDER / f"supmsg.{lang}.json").read_text(encoding="utf-8"))
    return out


def test_same_keys_and_placeholders_in_five_languages_and_translated() -> None:
    en = load("en")
    for lang in LANGS[1:]:
        cat = load(lang)
        assert set(cat) == set(en), lang
        for key, text in cat.items():
            assert text.strip() and text != en[key], (lang, key)
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", en[key])), (lang, key)


def test_keys_are_the_banners_own() -> None:
    ours = set(load("en"))
    for other in FOLDER.glob("*.en.json"):
        if other.name != "supmsg.en.json":
            assert not ours & set(json.loads(other.read_text(encoding="utf-8"))), other.name
    source = (WEB / "desktop" / "SupervisorMessages.tsx").read_text(encoding="utf-8")
    assert set(re.findall(r'"(supmsg\.[a-z_]+)"', source)) == ours
