"""The console's message catalogues (web/i18n/console/<area>.<lang>.json): the same keys and placeholders in
the five languages, real translations, no key in two areas, and every key the console's sources name."""

from __future__ import annotations

import json
import re
from pathlib import Path

from blendcc.api.routes_widget import WEB

LANGS = ("en", "pl", "ru", "zh", "fa")
FOLDER = WEB / "i18n" / "console"
SOURCES = WEB / "console"
#: t("key") and t('key') with a literal key (keys built from a value are listed in the catalogues too)
LITERAL = re.compile(r"""\bt\(\s*["']([A-Za-z0-9_.-]+)["']""")


def areas() -> list[str]:
    return sorted({p.name.split(".")[0] for p in FOLDER.glob("*.en.json")})


def load(area: str, lang: str) -> dict[str, str]:
    out: dict[str, str] = json.loads((FOLDER / f"{area}.{lang}.json").read_text(encoding="utf-8"))
    return out


def test_every_area_has_the_same_keys_and_placeholders_in_five_languages_and_is_translated() -> None:
    assert "shell" in areas()
    for area in areas():
        en = load(area, "en")
        for lang in LANGS[1:]:
            cat = load(area, lang)
            assert set(cat) == set(en), (area, lang, set(cat) ^ set(en))
            for key, text in cat.items():
                assert text.strip(), (area, lang, key)
                assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", en[key])), (area, lang, key)
            same = [k for k, v in cat.items() if v == en[k] and not re.fullmatch(r"[\W\d{}a-z_]*", v)]
            assert len(same) <= max(1, len(en) // 20), (area, lang, same)  # translations, not English copies


def test_no_key_is_in_two_areas() -> None:
    seen: dict[str, str] = {}
    for area in areas():
        for key in load(area, "en"):
            assert key not in seen, f"{key} is in both {seen[key]} and {area}"
            seen[key] = area


def test_every_literal_key_in_the_sources_exists() -> None:
    known: set[str] = set()
    for area in areas():
        known |= set(load(area, "en"))
    shared = {"signin.title", "signin.intro", "signin.username", "signin.password", "signin.totp",
              "signin.totp_needed", "signin.bad_credentials", "signin.submit", "signin.busy", "error.network",
              "lang.label"}
    assert shared <= known  # the shared sign-in page and language picker use these
    missing = {}
    for path in list(SOURCES.rglob("*.ts")) + list(SOURCES.rglob("*.tsx")):
        for key in LITERAL.findall(Path(path).read_text(encoding="utf-8")):
            if key not in known:
                missing.setdefault(key, str(path.relative_to(SOURCES)))
    assert not missing, missing
