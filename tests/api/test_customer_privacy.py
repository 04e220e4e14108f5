"""Privacy requests over REST: export everything about a customer, then erase it: the personal data is gone
from every table (the database is grepped) and the recording files from disk, while the queue and agent
reports give the same figures as before; other customers keep their data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from blendcc.adapters.storage.tables import metadata
from blendcc.domain import conversation_events as ce
from blendcc.domain import events as ev
from blendcc.domain.webchat import ChatSession
from blendcc.routing.commands import AppendEvents
from conftest import Api, seeded_api

PERSONAL = ("Ada Lovelace", "ada@example.com", "447700900123", "account-1815", "broken router", "reboot it",
            "ring me later", "lovely agent", "Leeds")


@pytest.fixture
def privacy(db_url: str, clock: Any, fast_passwords: None, tmp_path: Path) -> Iterator[Api]:
    with seeded_api(db_url, clock, recording_dir=str(tmp_path / "rec")) as api:
        yield api


def _dump(api: Api) -> str:
    out = []
    with api.container.store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                out.append(table.name + ": " + json.dumps([str(v) for v in row]))
    return "\n".join(out)


def _reports(api: Api) -> tuple[Any, Any]:
    window = f"start={api.T0 - 3600}&end={api.T0 + 86400}"
    return (api.get(f"/api/reports/queues?{window}&interval=day", "sup"),
            api.get(f"/api/reports/agents?{window}", "sup"))


def _history(api: Api, tmp: Path) -> dict[str, str]:
    api.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                           "capacity": {"limits": {"voice": 1, "email": 2}}})
    api.post("/api/customers", "sup", 201, json={
        "id": "ada", "name": "Ada Lovelace", "tier": "gold", "fields": {"city": "Leeds", "ref": "account-1815"},
        "tags": ["vip"], "identities": [{"kind": "email", "value": "ada@example.com"},
                                        {"kind": "phone", "value": "+447700900123"}]})
    api.post("/api/customers", "sup", 201, json={"id": "zed", "name": "Zed Zimmer",
                                                 "identities": [{"kind": "email", "value": "zed@example.com"}]})
    api.agent_login("a1")
    mail = api.new_contact(channel="email", caller_id="ada@example.com", subject="broken router",
                           text="my broken router again")["contact_id"]
    api.act("a1", mail, "accept")
    api.post(f"/api/contacts/{mail}/messages", "ann", 201, json={"body": "please reboot it"})
    api.post(f"/api/contacts/{mail}/messages", "ann", 201, json={"body": "ring me later", "kind": "note"})
    api.clock.advance(30)
    api.act("a1", mail, "end")
    api.act("a1", mail, "wrapup", disposition="resolved")
    api.container.runtime.execute(AppendEvents((ce.SurveyAnswered(
        at=0.0, contact_id=mail, survey="csat", score=5, comment="lovely agent", agent_id="a1", queue_id="sales",
        channel="email"),), stamp=True))
    call = api.new_contact(caller_id="+44 7700 900123")["contact_id"]
    api.act("a1", call, "accept")
    api.clock.advance(60)
    api.act("a1", call, "end")
    api.act("a1", call, "wrapup", disposition="sale")
    (tmp / "rec").mkdir(exist_ok=True)
    (tmp / "rec" / f"{call}.wav").write_bytes(b"RIFF-not-really-audio")
    api.container.runtime.execute(AppendEvents((ev.RecordingStored(
        at=0.0, contact_id=call, recording_id="r1", uri=f"{call}.wav", duration_s=60.0, agent_id="a1"),), stamp=True))
    zed = api.new_contact(channel="email", caller_id="zed@example.com", text="zed writes here")["contact_id"]
    # a web-chat session of the same customer keeps its pre-chat answers with the session
    api.container.webchat.sessions.create(ChatSession(
        id="ws-ada", instance="default", token_hash="0" * 64, name="Ada Lovelace", email="ada@example.com",
        phone=None, topic="broken router", language="en", created_at=api.T0, expires_at=api.T0 + 86400,
        contact_id=mail))
    return {"mail": mail, "call": call, "zed": zed}


def test_export_then_erase_keeps_the_reports_and_removes_the_personal_data(privacy: Api, tmp_path: Path) -> None:
    api = privacy
    ids = _history(api, tmp_path)
    export = api.get("/api/customers/ada/export")
    assert export["customer"]["name"] == "Ada Lovelace" and export["customer"]["tags"] == ["vip"]
    assert export["identities"] == [["email", "ada@example.com"], ["phone", "+447700900123"]]
    assert {c["contact_id"] for c in export["contacts"]} == {ids["mail"], ids["call"]}
    assert [m["body"] for m in export["messages"]] == ["my broken router again", "please reboot it"]
    assert [n["body"] for n in export["notes"]] == ["ring me later"]
    assert [(s["score"], s["comment"]) for s in export["surveys"]] == [(5, "lovely agent")]
    assert [r["uri"] for r in export["recordings"]] == [f"{ids['call']}.wav"]
    assert {d["disposition"] for d in export["dispositions"]} == {"resolved", "sale"}
    api.error("GET", "/api/customers/ada/export", 403, user="sup")
    before = _reports(api)
    dump = _dump(api)
    assert all(p in dump for p in PERSONAL)

    api.error("POST", "/api/customers/ada/erase", 403, user="sup")
    result = api.post("/api/customers/ada/erase")
    assert result == {"customer_id": "ada", "erased": ["ada"], "contacts": 2, "recordings_deleted": 1}

    dump = _dump(api)
    assert [line for line in dump.splitlines() if any(p in line for p in PERSONAL)] == []
    assert not (tmp_path / "rec" / f"{ids['call']}.wav").exists()
    assert _reports(api) == before
    assert "zed writes here" in dump and "zed@example.com" in dump and "Zed Zimmer" in dump
    after = api.get("/api/customers/ada/export")
    assert after["customer"]["erased_at"] is not None and after["identities"] == []
    assert [m["body"] for m in after["messages"]] == ["[erased]", "[erased]"]
    assert [s["score"] for s in after["surveys"]] == [5]
    assert {c["contact_id"] for c in after["contacts"]} == {ids["mail"], ids["call"]}  # the facts stay
    # the same address writing again is a new, unknown customer
    again = api.new_contact(channel="email", caller_id="ada@example.com", text="hello")
    assert again["customer_id"] != "ada"
    assert "already" in api.error("POST", "/api/customers/ada/erase", 409)["detail"]
    api.error("POST", "/api/customers/ghost/erase", 404)


def test_erasing_a_customer_erases_the_customers_merged_into_it(privacy: Api) -> None:
    api = privacy
    api.post("/api/customers", "sup", 201, json={"id": "keep", "name": "Kay Keeper"})
    api.post("/api/customers", "sup", 201, json={"id": "old", "name": "Olive Oldname",
                                                 "identities": [{"kind": "chat", "value": "olive-web"}]})
    api.post("/api/customers/keep/merge", json={"from": "old"})
    result = api.post("/api/customers/keep/erase")
    assert result["erased"] == ["keep", "old"]
    dump = _dump(api)
    assert "Olive Oldname" not in dump and "Kay Keeper" not in dump and "olive-web" not in dump
