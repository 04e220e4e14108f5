"""The console's list, DNC, prompt and channel pages in Debian Chromium against the real server (English at
1280 px, Persian at 360 px): a contact list with a bad row shows that row's line, column and message while the
good rows are imported; a DNC number is added and removed; a prompt is uploaded, spoken and listed; the channels
are shown read-only; axe-core on each page."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.e2e_support import ADMIN_PASSWORD

from ..axe import assert_accessible
from ..live_centre import database, real_centre
from .console_support import CATALOGUES, console_page, no_horizontal_overflow, require_console, sign_in
from .test_wfm_pages import VIEWPORTS, shot

pytestmark = pytest.mark.slow
CAMPAIGN = {"name": "Renewals", "mode": "preview", "queue_id": "sales", "caller_id": "+14155550100"}
LIST = "id,phone,name,tz\nr1,+12125550101,Ann,America/New_York\nr2,12345,Bad,\nr3,+442079460001,Bob,\n"


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "lists"):
        out |= json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8"))
    return out


def tone_wav() -> bytes:
    """Half a second of a quiet 8 kHz square wave."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join((2000 if (i // 10) % 2 else -2000).to_bytes(2, "little", signed=True)
                               for i in range(4000)))
    return buf.getvalue()


@pytest.mark.parametrize(("lang", "viewport"), VIEWPORTS)
def test_lists_dnc_prompts_and_channels_pages(lang: str, viewport: dict[str, int], browser: Any,
                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLENDCC_PROMPTS_DIR", str(tmp_path / "prompts"))  # the server inherits it
    monkeypatch.setenv("BLENDCC_PROMPT_CACHE_DIR", str(tmp_path / "prompt-cache"))
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        centre.setup()
        centre.admin.ok("PUT", "/api/campaigns/renew", CAMPAIGN)
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, centre.url, lang, "admin", ADMIN_PASSWORD)
            t = texts(lang)
            width = viewport["width"]

            # a list with a bad row: the row's line, column and message; the good rows are imported
            page.goto(f"{centre.url}/console/#/admin/lists")
            page.get_by_label(t["lists.file"], exact=True).set_input_files(
                files=[{"name": "jan.csv", "mimeType": "text/csv", "buffer": LIST.encode()}])
            page.get_by_role("button", name=t["lists.upload"], exact=True).click()
            refused = page.get_by_role("table", name=t["lists.err.caption"].replace("{file}", "jan.csv"))
            expect(refused.locator("tbody tr")).to_have_count(1)
            row = refused.locator("tbody tr").first
            expect(row.locator("th")).to_have_text(page.evaluate(f"new Intl.NumberFormat('{lang}').format(3)"))
            expect(row.locator("td").nth(0)).to_have_text("phone")
            expect(row.locator("td").nth(1)).to_contain_text("12345")
            expect(page.locator('[data-count="accepted"]')).to_have_text(
                page.evaluate(f"new Intl.NumberFormat('{lang}').format(2)"))
            records = page.get_by_role("table", name=t["lists.records_caption"])
            expect(records.locator("tbody tr")).to_have_count(2)
            expect(records).to_contain_text("+12125550101")
            expect(records).to_contain_text("+442079460001")
            expect(page.get_by_role("table", name=t["lists.imports_caption"])).to_contain_text("jan.csv")
            stored = centre.admin.ok("GET", "/api/campaigns/renew/records")
            assert sorted(r["phone"] for r in stored["records"]) == ["+12125550101", "+442079460001"]
            shot(page, "lists", lang, width)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"campaign lists ({lang})")

            # DNC: add a number to the global list, see it listed (and on the server), remove it
            page.goto(f"{centre.url}/console/#/admin/dnc")
            page.get_by_label(t["lists.rec.phone"], exact=True).fill("+12125550177")
            page.get_by_label(t["lists.dnc.reason"], exact=True).fill("asked")
            page.get_by_role("button", name=t["lists.dnc.add"]).click()
            dnc = page.get_by_role("table", name=t["lists.dnc.caption"].replace("{scope}", t["lists.dnc.global"]))
            expect(dnc.locator("tbody")).to_contain_text("+12125550177")
            assert [e["phone"] for e in centre.admin.ok("GET", "/api/dnc/global")] == ["+12125550177"]
            shot(page, "dnc", lang, width)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"DNC ({lang})")
            page.get_by_role("button", name=t["lists.dnc.remove_n"].replace("{phone}", "+12125550177")).click()
            expect(dnc.locator("tbody")).not_to_contain_text("+12125550177")
            assert centre.admin.ok("GET", "/api/dnc/global") == []

            # prompts: upload a WAV, speak a text, both listed with a player
            page.goto(f"{centre.url}/console/#/admin/prompts")
            page.get_by_label(t["lists.pr.wav"], exact=True).set_input_files(
                files=[{"name": "hello.wav", "mimeType": "audio/wav", "buffer": tone_wav()}])
            page.get_by_label(t["lists.pr.id_optional"], exact=True).fill("greeting")
            page.get_by_role("button", name=t["lists.upload"], exact=True).click()
            prompts = page.get_by_role("table", name=t["lists.pr.caption"])
            expect(prompts.locator("tbody")).to_contain_text("greeting")
            expect(prompts.locator("audio")).to_have_count(1)
            page.get_by_label(t["lists.pr.text"], exact=True).fill("Thank you for calling.")
            page.get_by_label(t["lists.pr.language"], exact=True).fill("en")
            page.get_by_role("button", name=t["lists.pr.speak"]).click()
            expect(prompts.locator("tbody tr")).to_have_count(2, timeout=20_000)
            expect(page.get_by_text(t["lists.pr.preview"].split("{id}")[0].strip()).locator("audio")).to_have_count(1)
            assert {p["source"] for p in centre.admin.ok("GET", "/api/ivr/prompts")} == {"upload", "tts"}
            shot(page, "prompts", lang, width)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"prompts ({lang})")
            # delete asks first; the prompt is gone from the page and the server
            page.once("dialog", lambda dialog: dialog.accept())
            page.get_by_role("button", name=t["lists.pr.delete_n"].replace("{id}", "greeting")).click()
            expect(prompts.locator("tbody tr")).to_have_count(1)
            assert "greeting" not in {p["id"] for p in centre.admin.ok("GET", "/api/ivr/prompts")}

            # channels: read-only, from the settings (the web-chat widget of this centre)
            page.goto(f"{centre.url}/console/#/admin/channels")
            channels = page.get_by_role("table", name=t["lists.ch.caption"])
            expect(channels).to_contain_text(t["lists.ch.kind_webchat"])
            expect(channels).to_contain_text("BLENDCC_WEBCHAT")
            expect(page.locator(".banner.warn")).to_have_text(t["lists.ch.read_only"])
            shot(page, "channels", lang, width)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"channels ({lang})")
            assert errors == [], errors
        finally:
            context.close()
