"""Input hygiene (issue 10, defects 3 and 10) on SQLite and PostgreSQL: invalid Unicode, NUL, non-finite
numbers, booleans for integers and oversized free-form data are refused with a 422 naming the field;
valid but hostile text is stored and read back intact; rows already holding bad data never break a read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

#: Valid Unicode a probe would try: stored and returned exactly.
HOSTILE_BUT_VALID = [
    "\u202eevil\u202c",  # right-to-left override
    "zero\u200bwidth\u200d\ufeff",  # zero-width characters and a BOM
    "😀🇵🇱\U0001d518",  # 4-byte characters (outside the BMP: a surrogate pair in JSON escapes)
    "a" * 4000,  # long, under the value limit
    "\\u0000 as text",  # a backslash followed by u0000: text, not NUL
    "<script>alert(1)</script>'; DROP TABLE interactions; --",
    "\u0085\u2028\u2029\x7f\x1b[31m",  # line/paragraph separators, DEL, an ANSI escape
    "مرحبا بالعالم",
    "=HYPERLINK(\"http://evil\")",
]

#: Raw JSON bodies with invalid text, and the field the refusal must name.
BAD_CONTACT_BODIES: list[tuple[bytes, str]] = [
    (b'{"channel":"voice","attributes":{"\\ud800":1}}', "attributes.\\ud800"),
    (b'{"channel":"voice","attributes":{"k":"\\udc00"}}', "attributes.k"),
    (b'{"channel":"voice","attributes":{"k":"\\udc00\\ud800"}}', "attributes.k"),  # a reversed pair
    (b'{"channel":"voice","attributes":{"k":"x\\ud83d"}}', "attributes.k"),  # high half of an emoji only
    (b'{"channel":"voice","attributes":{"a":{"b":[1,"\\ud800"]}}}', "attributes.a.b.1"),
    (b'{"channel":"voice","caller_id":"\\udfff"}', "caller_id"),
    (b'{"channel":"voice","attributes":{"k":"a\\u0000b"}}', "NUL"),
    (b'{"channel":"voice","subject":"\\u0000"}', "subject"),
    (b'{"channel":"voice","attributes":{"k":"\xff\xfe"}}', "UTF-8"),  # invalid UTF-8 bytes
    (b'{"channel":"voice","attributes":{"k":"\xc0\xaf"}}', "UTF-8"),  # overlong encoding
    (b'{"channel":"voice","attributes":{"k":"\xed\xa0\x80"}}', "UTF-8"),  # a surrogate encoded as UTF-8
    (b'{"channel":"voice","attributes":{"k":NaN}}', "attributes.k"),
    (b'{"channel":"voice","attributes":{"k":[Infinity]}}', "attributes.k.0"),
    (b'{"channel":"voice","attributes":{"k":1e400}}', "attributes.k"),
    (b'{"channel":"voice","priority":true}', "priority"),
    (b'{"channel":"voice","priority":false}', "priority"),
    (b'{"channel":"voice","priority":1.0}', "priority"),
    (b'{"channel":"voice","priority":"1"}', "priority"),
    (b'{"channel":"voice","attributes":' + b"[" * 200 + b"]" * 200 + b"}", "nested"),
]

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(("raw", "names"), BAD_CONTACT_BODIES)
def test_bad_text_and_numbers_are_refused_naming_the_field(shared_centre: Any, raw: bytes, names: str) -> None:
    answer = shared_centre.error("POST", "/api/contacts", 422, user="sup", content=raw, headers=JSON)
    assert answer["error"] == "invalid"
    assert names in answer["detail"], answer["detail"]
    assert shared_centre.get("/api/contacts", "sup") == []


@pytest.mark.parametrize("raw", [b'{"fields":{"x":NaN}}', b'{"fields":{"x":Infinity}}', b'{"fields":{"x":-Infinity}}',
                                 b'{"fields":{"x":1e400}}', b'{"fields":{"x":{"y":"\\ud800"}}}',
                                 b'{"fields":{"\\udbff":"v"}}', b'{"name":"\\ud800"}', b'{"fields":{"x":"\\u0000"}}'])
def test_customers_refuse_the_same_and_store_nothing(centre: Any, raw: bytes) -> None:
    body = json.loads(raw)  # Python's parser keeps NaN, Infinity and lone surrogates
    answer = centre.error("POST", "/api/customers", 422, user="sup",
                          content=json.dumps({"id": "k1", **body}).encode(), headers=JSON)
    assert "fields" in answer["detail"] or "name" in answer["detail"], answer
    assert centre.post("/api/customers", "sup", 201, json={"id": "k1", "name": "Ann"})["id"] == "k1"  # not 409
    answer = centre.error("PATCH", "/api/customers/k1", 422, user="sup", content=raw, headers=JSON)
    assert centre.get("/api/customers/k1", "sup")["fields"] == {}


def test_bad_path_and_query_are_refused(shared_centre: Any) -> None:
    assert "path" in shared_centre.error("GET", "/api/contacts/%ED%A0%80", 422, user="sup")["detail"]
    assert "path" in shared_centre.error("GET", "/api/contacts/a%00b", 422, user="sup")["detail"]
    assert "query" in shared_centre.error("GET", "/api/customers?kind=phone&value=%ED%A0%80", 422,
                                          user="sup")["detail"]
    assert "query" in shared_centre.error("GET", "/api/customers?kind=phone&value=%00", 422, user="sup")["detail"]
    assert "query" in shared_centre.error("GET", "/api/contacts?queue_id=%FF", 422, user="sup")["detail"]


def test_free_form_size_limits(shared_centre: Any) -> None:
    def refused(attributes: Any) -> str:
        detail: str = shared_centre.error("POST", "/api/contacts", 422, user="sup",
                                          json={"channel": "voice", "attributes": attributes})["detail"]
        assert "attributes" in detail, detail
        return detail

    assert "100 keys" in refused({f"k{i}": i for i in range(101)})
    assert "64 characters" in refused({"k" * 65: 1})
    assert "bytes" in refused({"k": "x" * 5000})
    assert "bytes in all" in refused({f"k{i}": "x" * 3000 for i in range(6)})
    assert "nested" in refused({"k": [[[[[1]]]]]})
    ten_mb = {"k": "x" * (10 * 1024 * 1024)}  # over the route's 1 MiB body limit: 413 before parsing
    assert shared_centre.error("POST", "/api/contacts", 413, user="sup",
                               json={"channel": "voice", "attributes": ten_mb})["error"] == "too_large"
    detail = shared_centre.error("POST", "/api/customers", 422, user="sup",
                                 json={"fields": {f"k{i}": i for i in range(101)}})["detail"]
    assert "fields" in detail
    assert shared_centre.get("/api/contacts", "sup") == []


def test_hostile_but_valid_text_round_trips(centre: Any) -> None:
    attributes = {f"k{i}": s for i, s in enumerate(HOSTILE_BUT_VALID[:3])}
    attributes["\u202ekey"] = "v"
    created = centre.new_contact(contact_id="c1", attributes=attributes, subject=HOSTILE_BUT_VALID[4])
    assert created["contact_id"] == "c1"
    assert centre.get("/api/contacts/c1", "sup")["attributes"] == {**attributes, "subject": HOSTILE_BUT_VALID[4]}
    for i, s in enumerate(HOSTILE_BUT_VALID):
        centre.post("/api/customers", "sup", 201, json={"id": f"k{i}", "name": s[:200], "fields": {"s": s}})
        got = centre.get(f"/api/customers/k{i}", "sup")
        assert (got["name"], got["fields"]) == (s[:200], {"s": s})
    assert [c["contact_id"] for c in centre.get("/api/contacts", "sup")] == ["c1"]


def _corrupt(engine: Any, backend: str) -> None:
    """Write what the old server stored for ``{"\\ud800": 1}``: JSON text with unpaired surrogate escapes."""
    bad = {"\ud800": 1, "text": "x\udc00y", "ok": "fine"}
    as_json = "CAST(:v AS json)" if backend == "postgresql" else ":v"
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE interactions SET attributes = {as_json} WHERE contact_id = 'c1'"),
                     {"v": json.dumps(bad)})
        rows = conn.execute(text("SELECT seq, payload FROM events WHERE contact_id = 'c1'")).all()
        for seq, payload in rows:
            doc = json.loads(payload) if isinstance(payload, str) else dict(payload)
            if "attributes" in doc:
                doc["attributes"] = bad
                conn.execute(text(f"UPDATE events SET payload = {as_json} WHERE seq = :s"),
                             {"v": json.dumps(doc), "s": seq})
        conn.execute(text(f"UPDATE customers SET fields = {as_json} WHERE id = 'k1'"), {"v": json.dumps(bad)})
        if backend == "sqlite":  # SQLite keeps any text: NaN too
            conn.execute(text("UPDATE customers SET fields = :v WHERE id = 'k2'"), {"v": '{"n": NaN, "i": -Infinity}'})


def test_stored_bad_rows_never_break_a_read(centre: Any, backend: str, make_api: Any, containers: Any,
                                            db_url: str, clock: Any) -> None:
    centre.new_contact(contact_id="c1", attributes={"k": "v"})
    centre.new_contact(contact_id="c2")
    centre.post("/api/customers", "sup", 201, json={"id": "k1"})
    centre.post("/api/customers", "sup", 201, json={"id": "k2"})
    _corrupt(centre.container.store.engine, backend)
    restarted = make_api(containers(db_url, clock), clock)  # a restart replays the stored events
    for api in (centre, restarted):
        contact = api.get("/api/contacts/c1", "admin")
        assert contact["contact_id"] == "c1"
        listed = api.get("/api/contacts", "admin")
        assert {c["contact_id"] for c in listed} == {"c1", "c2"}
        for page in range(2):
            assert len(api.get(f"/api/contacts?limit=1&offset={page}", "admin")) == 1
        events = api.get("/api/contacts/c1/events", "admin")
        assert events
        fields = api.get("/api/customers/k1", "admin")["fields"]
        assert fields == {"\ufffd": 1, "text": "x\ufffdy", "ok": "fine"}
        if backend == "sqlite":
            assert api.get("/api/customers/k2", "admin")["fields"] == {"n": None, "i": None}
    stored = next(c for c in restarted.get("/api/contacts", "admin") if c["contact_id"] == "c1")
    assert stored["attributes"] == {"\ufffd": 1, "text": "x\ufffdy", "ok": "fine"}
