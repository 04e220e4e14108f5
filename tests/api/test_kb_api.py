"""The knowledge base over the API on both backends: supervisors write and publish versions, agents search and
get suggestions for the contact they hold, the public help centre shows published articles only, in five
languages; bad input and other roles are refused cleanly."""

from __future__ import annotations

from typing import Any

import pytest

ROUTER = {"title": "Restart your router", "category": "internet", "tags": ["router"], "status": "published",
          "body": "Unplug the **router** for ten seconds, plug it back in and wait for the green light.\n\n"
                  "<script>alert(1)</script>"}
BILLING = {"title": "Read your bill", "body": "Your bill lists each service and its monthly price.",
           "category": "billing", "status": "published"}


@pytest.fixture
def kb(centre: Any) -> Any:
    centre.put("/api/kb/articles/restart-router/en", "sup", json=ROUTER)
    centre.put("/api/kb/articles/read-bill/en", "sup", json=BILLING)
    centre.put("/api/kb/articles/new-prices/en", "sup", json={"title": "New router prices", "body": "Draft."})
    centre.put("/api/kb/articles/restart-router/fa", "sup", json={
        "title": "راه‌اندازی دوباره مودم", "body": "مودم را ده ثانیه از برق بکشید.", "status": "published"})
    return centre


def test_supervisors_write_versions_and_publish(kb: Any) -> None:
    v2 = kb.put("/api/kb/articles/restart-router/en", "sup", json={**ROUTER, "body": "Hold reset for 30 seconds."})
    assert v2["version"] == 2 and v2["updated_by"] == "sup" and "<p>Hold reset" in v2["html"]
    versions = kb.get("/api/kb/articles/restart-router/en/versions", "sup")
    assert [v["version"] for v in versions] == [1, 2]
    old = kb.get("/api/kb/articles/restart-router/en?version=1", "sup")
    assert "&lt;script&gt;" in old["html"] and "<script>" not in old["html"]
    assert [a["id"] for a in kb.get("/api/kb/articles?lang=en", "ann")] == ["read-bill", "restart-router"]
    assert "new-prices" in [a["id"] for a in kb.get("/api/kb/articles?lang=en", "sup")]  # drafts: editors only
    kb.error("GET", "/api/kb/articles/new-prices/en", 404, "ann")
    published = kb.post("/api/kb/articles/new-prices/en/status", "sup", json={"status": "published"})
    assert published["status"] == "published" and published["version"] == 2
    assert kb.get("/api/kb/articles/new-prices/en", "ann")["title"] == "New router prices"


def test_agents_search_published_articles(kb: Any) -> None:
    hits = kb.get("/api/kb/search?q=router&lang=en", "ann")["hits"]
    assert [h["id"] for h in hits] == ["restart-router"]  # the draft "New router prices" is not found
    assert "router" in hits[0]["snippet"].lower() and "**" not in hits[0]["snippet"]
    with_drafts = kb.get("/api/kb/search?q=rout&lang=en&drafts=true", "sup")["hits"]  # "rout" as a prefix
    assert {(h["id"], h["status"]) for h in with_drafts} == {("new-prices", "draft"), ("restart-router", "published")}
    assert [h["id"] for h in kb.get("/api/kb/search?q=مودم", "ann")["hits"]] == ["restart-router"]
    assert kb.get("/api/kb/search?q=bill price&lang=en", "ann")["hits"][0]["id"] == "read-bill"


def test_suggestions_for_the_contact_an_agent_holds(kb: Any) -> None:
    kb.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                          "capacity": {"limits": {"voice": 1, "chat": 2}}})
    kb.agent_login("a1")
    out = kb.new_contact(channel="chat", caller_id="web-42", text="Hi, my router keeps blinking red, please help")
    kb.act("a1", out["contact_id"], "accept")
    got = kb.get(f"/api/kb/suggest/{out['contact_id']}?lang=en", "ann")
    assert "router" in got["words"] and "please" not in got["words"]
    assert got["hits"][0]["id"] == "restart-router"
    kb.error("GET", f"/api/kb/suggest/{out['contact_id']}", 403, "bob")  # not bob's contact
    kb.error("GET", "/api/kb/suggest/nope", 404, "ann")


@pytest.mark.parametrize(("method", "path", "user", "status", "body"), [
    ("PUT", "/api/kb/articles/restart-router/en", "ann", 403, ROUTER),  # agents do not write
    ("PUT", "/api/kb/articles/Bad_Id/en", "sup", 422, ROUTER),
    ("PUT", "/api/kb/articles/ok/english!", "sup", 422, ROUTER),
    ("PUT", "/api/kb/articles/ok/en", "sup", 422, {**ROUTER, "title": ""}),
    ("PUT", "/api/kb/articles/ok/en", "sup", 422, {**ROUTER, "status": "live"}),
    ("PUT", "/api/kb/articles/ok/en", "sup", 422, {**ROUTER, "colour": "red"}),
    ("PUT", "/api/kb/articles/ok/en", "sup", 422, {**ROUTER, "tags": [" "]}),
    ("GET", "/api/kb/search?q=", "ann", 422, None),
    ("GET", "/api/kb/search?q=x&limit=500", "ann", 422, None),
    ("GET", "/api/kb/search?q=x&drafts=true", "ann", 403, None),
    ("GET", "/api/kb/articles/restart-router/en?version=1", "ann", 404, None),  # history: editors only
    ("GET", "/api/kb/articles/restart-router/en/versions", "ann", 403, None),
    ("GET", "/api/kb/articles/nope/en", "sup", 404, None),
    ("GET", "/api/kb/articles/restart-router/en?version=9", "sup", 404, None),
    ("POST", "/api/kb/articles/nope/en/status", "sup", 404, {"status": "published"}),
    ("GET", "/api/kb/search?q=router", None, 401, None),
])
def test_bad_input_and_roles_are_refused(kb: Any, method: str, path: str, user: str | None, status: int,
                                         body: dict[str, Any] | None) -> None:
    err = kb.error(method, path, status, user, **({"json": body} if body is not None else {}))
    assert err["detail"] and "Traceback" not in str(err)


def test_the_public_help_centre(kb: Any) -> None:
    client = kb.client
    home = client.get("/help?lang=en")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert "Restart your router" in home.text and "Read your bill" in home.text
    assert "New router prices" not in home.text  # a draft
    found = client.get("/help", params={"lang": "en", "q": "router"})
    assert 'href="/help/en/restart-router"' in found.text and "Read your bill" not in found.text
    evil = client.get("/help", params={"lang": "en", "q": "<img src=x onerror=alert(1)>"})
    assert evil.status_code == 200 and "<img src=x" not in evil.text and "&lt;img" in evil.text
    page = client.get("/help/en/restart-router")
    assert page.status_code == 200 and "<strong>router</strong>" in page.text and "<script>alert" not in page.text
    persian = client.get("/help/fa/restart-router")
    assert 'dir="rtl"' in persian.text and "مرکز راهنما" in persian.text
    by_browser = client.get("/help", headers={"Accept-Language": "fa-IR,fa;q=0.9,en;q=0.5"})
    assert 'lang="fa"' in by_browser.text and "راه‌اندازی دوباره مودم" in by_browser.text
    for missing in ("/help/en/new-prices", "/help/en/nope", "/help/en/Bad_Id", "/help/xx/restart-router"):
        r = client.get(missing)
        assert r.status_code == 404 and "help centre" in r.text.lower(), missing
