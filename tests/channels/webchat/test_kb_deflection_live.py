"""Self-service deflection end to end on both backends: a browser's help-centre visit (its cookie), a chat
started from the same browser naming that visit, an agent's article use, and the figures of KPIS.md."""

from __future__ import annotations

import httpx

from .live_chat import LiveChat, chat_fixture  # noqa: F401  (the fixture)

ROUTER = {"title": "Restart your router", "body": "Unplug the **router** for ten seconds.", "category": "internet",
          "status": "published"}
BILL = {"title": "Read your bill", "body": "Your bill lists each service.", "category": "billing",
        "status": "published"}


def browse(chat: LiveChat) -> httpx.Client:
    return httpx.Client(base_url=chat.app.url, timeout=30)


def test_a_visit_that_ends_in_a_chat_is_not_deflected_and_one_without_is(chat: LiveChat) -> None:
    api = chat.api
    api.put("/api/kb/articles/restart-router/en", "sup", json=ROUTER)
    api.put("/api/kb/articles/read-bill/en", "sup", json=BILL)
    t0 = api.clock.now()
    with browse(chat) as first, browse(chat) as second:
        home = first.get("/help?lang=en")
        cookie = home.cookies.get("blendcc_help")
        assert cookie and cookie.startswith("hs-") and "samesite=lax" in home.headers["set-cookie"].lower()
        assert first.get("/help", params={"lang": "en", "q": "router"}).status_code == 200
        assert first.get("/help/en/restart-router").status_code == 200
        assert first.cookies.get("blendcc_help") == cookie  # the same visit throughout
        session = chat.start(help_session=cookie)  # the widget names the visit of its browser
        assert second.get("/help/en/read-bill").status_code == 200  # read and left: deflected
        assert second.cookies.get("blendcc_help") not in (None, cookie)
        chat.start(help_session="hs-" + "f" * 32)  # a visit this server never had: no link, no error
        chat.start(help_session="not a session id")
    customer, _ = chat.customer(session)
    customer.send({"type": "message", "client_id": "c1", "body": "my router blinks", "attachments": []})
    customer.type("ack", client_id="c1")
    (created,) = chat.events("ContactCreated")
    contact = created.contact_id
    used = api.post(f"/api/kb/uses/{contact}", "sup", expect=201,
                    json={"article_id": "restart-router", "lang": "en", "action": "send"})
    assert used["agent"] == "sup" and used["contact_id"] == contact
    assert [u["action"] for u in api.get(f"/api/kb/uses/{contact}", "sup")] == ["send"]
    api.error("POST", f"/api/kb/uses/{contact}", 422, "sup", json={"article_id": "restart-router", "lang": "en",
                                                                  "action": "print"})
    api.error("POST", f"/api/kb/uses/{contact}", 404, "sup", json={"article_id": "nope", "lang": "en",
                                                                  "action": "open"})
    api.error("POST", "/api/kb/uses/nope", 404, "sup", json={"article_id": "read-bill", "lang": "en",
                                                            "action": "open"})
    api.error("GET", f"/api/kb/figures?start={t0}&end={t0 + 3600}", 403, "ann")
    api.error("GET", f"/api/kb/figures?start={t0}&end={t0}", 422, "sup")
    f = api.get(f"/api/kb/figures?start={t0 - 1}&end={t0 + 3600}", "sup")
    assert (f["sessions"], f["sessions_with_article"], f["searches"], f["deflected"]) == (2, 2, 1, 1)
    assert f["deflection_rate"] == 0.5
    assert [(r["key"], r["sessions"], r["deflected"]) for r in f["by_category"]] == [("billing", 1, 1),
                                                                                   ("internet", 1, 0)]
    assert [(a["id"], a["contacts"]) for a in f["viewed_before_contact"]] == [("restart-router", 1)]
    assert [(a["id"], a["send"], a["contacts"]) for a in f["agent_uses"]] == [("restart-router", 1, 1)]
    assert [a["id"] for a in f["top_articles"]] == ["restart-router", "read-bill"]


def test_the_offline_form_ties_its_email_to_the_visit(chat: LiveChat) -> None:
    chat.api.put("/api/kb/articles/read-bill/en", "sup", json=BILL)
    t0 = chat.api.clock.now()
    with browse(chat) as browser:
        browser.get("/help/en/read-bill")
        cookie = browser.cookies.get("blendcc_help")
    r = chat.http.post("/api/webchat/closed/offline", json={"name": "Eve", "email": "eve@example.org",
                                                            "message": "The bill is wrong", "help_session": cookie})
    assert r.status_code == 202, r.text
    f = chat.api.get(f"/api/kb/figures?start={t0 - 1}&end={t0 + 60}", "sup")
    assert (f["sessions"], f["deflected"], f["deflection_rate"]) == (1, 0, 0.0)
