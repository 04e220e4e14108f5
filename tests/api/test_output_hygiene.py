"""Prompt ids that could name other files, and CSV formula injection (issue 10, defect 10)."""

from __future__ import annotations

import csv
import io
import wave
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from blendcc.adapters.prompts import PromptStore
from blendcc.domain.csv_safe import safe_cell, safe_row
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.ivr.flow import PromptRef

BAD_PROMPT_IDS = ["..", ".", ".hidden", "a..b", "a.", "../x", "a/b", "a\\b", "x" * 65, "tts-forged", " a", "a\nb",
                  "%2e%2e"]


def wav(seconds: float = 0.1) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * int(8000 * seconds))
    return buf.getvalue()


@pytest.mark.parametrize("prompt_id", BAD_PROMPT_IDS)
def test_prompt_store_refuses_path_tricks(tmp_path: Path, prompt_id: str) -> None:
    store = PromptStore(tmp_path / "p")
    with pytest.raises(ValidationFailed, match="prompt id"):
        store.upload(wav(), prompt_id)
    with pytest.raises(NotFound):
        store.path(prompt_id)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing written anywhere


@pytest.mark.parametrize("prompt_id", [p for p in BAD_PROMPT_IDS if p != "tts-forged"])
def test_flows_cannot_reference_such_prompts(prompt_id: str) -> None:
    with pytest.raises(ValidationError):
        PromptRef(prompt_id=prompt_id)


def test_good_prompt_ids_still_work(tmp_path: Path) -> None:
    store = PromptStore(tmp_path / "p")
    for prompt_id in ("welcome", "welcome.en", "menu_2-b.v1", "A1"):
        assert store.upload(wav(), prompt_id).id == prompt_id
        assert store.path(prompt_id).name == f"{prompt_id}.wav"
        assert PromptRef(prompt_id=prompt_id).prompt_id == prompt_id


def test_prompt_api_refuses_dot_ids(make_api: Any, sqlite_url: str, clock: Any, containers: Any,
                                    tmp_path: Path) -> None:
    api = make_api(containers(sqlite_url, clock), clock)
    api.client.app.state.ivr_prompts = PromptStore(tmp_path / "prompts")
    for prompt_id in (".hidden", "..", "a..b"):
        api.error("POST", f"/api/ivr/prompts?prompt_id={prompt_id}", 422, content=wav(),
                  headers={"content-type": "audio/wav"})
        api.error("POST", "/api/ivr/prompts", 422, files={"file": ("x.wav", wav(), "audio/wav")},
                  data={"prompt_id": prompt_id})
    api.error("GET", "/api/ivr/prompts/.hidden", 422)
    assert not list((tmp_path / "prompts").glob("*.wav"))


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("+12125550101", "+12125550101"),  # a phone number in E.164 is a number, not a formula
    ("-12.5", "-12.5"),
    ("plain", "plain"),
    ("a=b", "a=b"),
    ("", ""),
])
def test_safe_cell_follows_owasp(cell: str, safe: str) -> None:
    assert safe_cell(cell) == safe


def test_safe_row_keeps_numbers_and_none() -> None:
    assert safe_row([-1, 2.5, None, "=1"]) == [-1, 2.5, None, "'=1"]


def test_records_csv_export_escapes_formulas(centre: Any) -> None:
    centre.put("/api/campaigns/c1", json={"name": "C", "mode": "preview", "queue_id": "sales",
                                          "caller_id": "+14155550100"})
    rows = "id,phone,name,=cmd\nr1,+12125550101,\"=HYPERLINK(\"\"http://evil\"\")\",@x\n"
    report = centre.post("/api/campaigns/c1/lists", "sup", content=rows.encode(), headers={"content-type": "text/csv"})
    assert report["accepted"] == 1, report
    exported = centre.get("/api/campaigns/c1/records.csv", user="sup")
    header, row = list(csv.reader(io.StringIO(exported)))
    fields = dict(zip(header, row, strict=True))
    assert fields["name"] == "'=HYPERLINK(\"http://evil\")"
    assert fields["phone"] == "+12125550101"
    assert "'=cmd" in header and fields["'=cmd"] == "'@x"


def test_list_upload_with_nul_is_refused(centre: Any) -> None:
    centre.put("/api/campaigns/c1", json={"name": "C", "mode": "preview", "queue_id": "sales",
                                          "caller_id": "+14155550100"})
    answer = centre.error("POST", "/api/campaigns/c1/lists", 422, user="sup", content=b"phone\n+1212555\x000101\n",
                          headers={"content-type": "text/csv"})
    assert "NUL" in answer["detail"]
