"""The browser phone's message catalogues (web/i18n/desktop/phone.<lang>.json): the same keys and placeholders
in en, pl, ru, zh and fa, translated, and every key the phone's sources use is there."""

from __future__ import annotations

import json
import re

from blendcc.api import routes_widget

FOLDER = routes_widget.WEB / "i18n" / "desktop"
SOURCES = routes_widget.WEB / "desktop" / "phone"
LANGS = ("en", "pl", "ru", "zh", "fa")


def test_phone_catalogues_are_complete_and_translated() -> None:
    cats = {lang: json.loads((FOLDER / f"phone.{lang}.json").read_text(encoding="utf-8")) for lang in LANGS}
    keys = set(cats["en"])
    assert keys and all(k.startswith("phone.") for k in keys)
    for lang, strings in cats.items():
        assert set(strings) == keys, (lang, set(strings) ^ keys)
        for key, text in strings.items():
            assert text.strip() and set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", cats["en"][key]))
            if lang != "en":
                assert text != cats["en"][key], (lang, key)
    sources = "".join(p.read_text(encoding="utf-8") for p in SOURCES.glob("*.ts*"))
    used = set(re.findall(r'\bt\(\s*"([a-z_.]+)"', sources))
    dynamic = {f"phone.mic_{kind}" for kind in ("blocked", "absent", "failed")}  # t(`phone.mic_${error}`)
    assert used and used | dynamic <= keys
