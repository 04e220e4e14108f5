"""The panes' message catalogues (web/i18n/desktop/panes.<lang>.json): the same keys and placeholders in the
five languages, real translations, no key shared with another area's catalogue, every key the email, voice,
outbound and transfer sources name present, and none left over."""

from __future__ import annotations

import json
import re

from blendcc.api.routes_widget import WEB

LANGS = ("en", "pl", "ru", "zh", "fa")
FOLDER = WEB / "i18n" / "desktop"
SOURCES = [WEB / "desktop" / d for d in ("panes/email", "panes/voice", "outbound", "transfer", "panes/common.ts")]
AREAS = ("cstate", "email", "out", "voice", "xfer", "panes")
#: keys the sources build from a value (`t(`email.${mode}`)`): each value the code can produce
DYNAMIC = {f"cstate.is_{s}" for s in ("open", "pending", "snoozed", "resolved")} \
    | {f"cstate.snooze_{h}h" for h in (1, 4, 24)} | {f"email.{m}" for m in ("reply", "reply_all", "forward")} \
    | {f"email.status_{s}" for s in ("queued", "sent", "delivered", "read", "failed")} \
    | {f"out.check_{c}" for c in ("number", "dnc", "calling_window", "agent_state", "campaign")} \
    | {f"out.reason_{r}" for r in ("wrong_person", "bad_time", "already_customer", "duplicate", "other")} \
    | {f"xfer.avail_{a}" for a in ("free", "busy", "off")} \
    | {f"xfer.state_{s}" for s in ("available", "reserved", "busy", "wrap_up", "aux", "offline")}


def _load(area: str, lang: str) -> dict[str, str]:
    out: dict[str, str] = json.loads((FOLDER / f"{area}.{lang}.json").read_text(encoding="utf-8"))
    return out


def test_same_keys_and_placeholders_in_every_language_and_translated() -> None:
    en = _load("panes", "en")
    for lang in LANGS[1:]:
        cat = _load("panes", lang)
        assert set(cat) == set(en), (lang, set(cat) ^ set(en))
        for key, text in cat.items():
            assert text.strip(), (lang, key)
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", en[key])), (lang, key)
        same = [k for k, v in cat.items() if v == en[k]]
        assert len(same) < len(en) // 20, (lang, same)  # translations, not English copies


def test_no_key_is_shared_with_another_area() -> None:
    ours = set(_load("panes", "en"))
    for other in FOLDER.glob("*.en.json"):
        if other.name != "panes.en.json":
            assert not ours & set(json.loads(other.read_text(encoding="utf-8"))), other.name


def test_every_key_the_sources_name_exists_and_none_is_left_over() -> None:
    keys = set(_load("panes", "en"))
    files = [p for s in SOURCES for p in ([s] if s.is_file() else s.rglob("*.ts*"))]
    text = "".join(p.read_text(encoding="utf-8") for p in files)
    areas = "|".join(AREAS)
    named = set(re.findall(rf'"((?:{areas})\.[a-z_0-9]+)"', text))
    assert named, "no key found in the sources"
    assert (named | DYNAMIC) - keys == set()
    assert keys - (named | DYNAMIC) == set()
