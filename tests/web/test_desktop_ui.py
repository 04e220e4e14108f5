"""The agent desktop end to end against the REAL server in Debian Chromium: an agent's day in English (wide
screen) and Persian (right to left, 360 px phone). Sign in, log in to the queues, a web-chat customer (over
the real /ws/webchat) writes, the offer rings and is accepted with Alt+A, the agent replies, uses a canned
response with "/", adds an internal note, wraps up with a disposition, and goes on a break. Screenshots go to
test-artifacts/desktop-*.png."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from websockets.sync.client import connect

from blendcc.api import routes_pages, routes_widget
from blendcc.app.admin import totp
from channels.webchat.live_chat import Socket
from e2e.e2e_support import ADMIN_PASSWORD, Client

from .axe import assert_accessible
from .conftest import ARTIFACTS
from .live_centre import PASSWORD, Centre, database, real_centre
from .webchat_standin import PNG, wait_for

pytestmark = pytest.mark.slow

WIDE = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 780}
CATALOGUES = routes_widget.WEB / "i18n" / "desktop"
#: axe-core (the web package's dev dependency, installed by `make frontend`) checks WCAG 2 A/AA in the page


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = json.loads((CATALOGUES / f"shell.{lang}.json").read_text(encoding="utf-8"))
    return out


def shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"desktop-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class Customer:
    """A web-chat customer on the real server: a session, its socket, the frames it got."""

    def __init__(self, url: str, name: str, session: dict[str, Any] | None = None) -> None:
        if session is None:
            r = httpx.post(f"{url}/api/webchat/default/sessions", json={"name": name, "email": "dana@example.org"})
            assert r.status_code == 201, r.text
            session = r.json()
        self.session = session
        self._stack = ExitStack()
        self.socket = Socket(self._stack.enter_context(connect(url.replace("http://", "ws://") + "/ws/webchat",
                                                                open_timeout=10)))
        self.socket.send({"type": "hello", "session_id": self.session["session_id"], "token": self.session["token"],
                          "after": 0})
        self.socket.type("welcome")

    @classmethod
    def resume(cls, url: str, session: dict[str, Any]) -> Customer:
        """The same chat on a new socket (after the server restarted)."""
        return cls(url, "", session)

    def say(self, body: str) -> None:
        self.socket.send({"type": "message", "client_id": uuid.uuid4().hex, "body": body, "attachments": []})

    def hears(self, body: str) -> dict[str, Any]:
        """The agent's message ``body`` as the customer's socket gets it."""
        return self.socket.wait(lambda f: f.get("type") == "message" and f["message"].get("body") == body
                                and f["message"]["author"]["kind"] == "agent", 15, f"the agent's {body!r}")

    def close(self) -> None:
        self._stack.close()


@contextmanager
def centre_for_desktop(tmp_path: Path) -> Iterator[Centre]:
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        ann = Client(centre.url, "ann", PASSWORD)
        try:  # Ann's own canned response, used with the "/" shortcut
            ann.ok("POST", "/api/canned", {"scope": "personal", "owner": "a1", "shortcut": "thanks",
                                           "title": "Thanks", "body": "Thank you {customer.name}, anything else?"},
                   expect=201)
        finally:
            ann.close()
        yield centre


RUNS = [pytest.param("en", WIDE, id="en-wide"), pytest.param("fa", PHONE, id="fa-360px")]


@pytest.mark.parametrize(("lang", "viewport"), RUNS)
def test_an_agents_day_in_the_desktop(lang: str, viewport: dict[str, int], browser: Any, tmp_path: Path) -> None:
    if not (routes_pages.DESKTOP / "index.html").is_file():
        pytest.fail("the desktop is not built: run `make frontend`", pytrace=False)
    t = texts(lang)
    with centre_for_desktop(tmp_path) as centre:
        context = browser.new_context(viewport=viewport, locale="en-GB")
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("response", lambda r: problems.append(f"{r.status} {r.request.method} {r.url}")
                if r.status >= 400 and not _expected(r.status, r.url) else None)
        customer: Customer | None = None
        try:
            customer = _day(page, centre, lang, t, viewport)
            assert problems == [], problems
        finally:
            if customer is not None:
                customer.close()
            context.close()


def _day(page: Page, centre: Centre, lang: str, t: dict[str, str], viewport: dict[str, int]) -> Customer:
    name = f"{lang}-{viewport['width']}"
    page.goto(f"{centre.url}/desktop")
    # the language picker on the sign-in page; the page mirrors for Persian
    page.get_by_label(texts("en")["lang.label"]).select_option(lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
    expect(page.locator("html")).to_have_attribute("lang", lang)

    # a wrong password is refused with the server's answer; the right one signs in
    page.get_by_label(t["signin.username"]).fill("ann")
    page.get_by_label(t["signin.password"]).fill("wrong-password")
    page.get_by_role("button", name=t["signin.submit"]).click()
    expect(page.locator(".signin .error")).to_have_text(t["signin.bad_credentials"])
    page.get_by_label(t["signin.password"]).fill(PASSWORD)
    shot(page, f"{name}-signin")
    assert_accessible(page, what="sign-in")
    page.get_by_role("button", name=t["signin.submit"]).click()
    expect(page.locator('[data-testid="agent-state"]')).to_contain_text(t["state.offline"])
    expect(page.locator(".live .banner")).to_have_count(0)  # the socket is up: no offline banner

    # log in to the queues: available
    page.get_by_role("button", name=t["state.login"]).click()
    expect(page.locator('[data-testid="agent-state"]')).to_contain_text(t["state.available"])

    # a customer writes in the web chat: the offer rings, is announced and accepted with the keyboard
    customer = Customer(centre.url, "Dana Scully")
    question = "سلام، قبض من اشتباه است." if lang == "fa" else "Hello, my bill looks wrong."
    customer.say(question)
    offer = page.locator('[data-testid="offer"]')
    expect(offer).to_contain_text("Dana Scully")
    expect(offer).to_contain_text(t["channel.chat"])
    expect(page.locator(".offers [aria-live=assertive]")).to_contain_text("Dana Scully")
    page.wait_for_function("Number(document.documentElement.dataset.deskRings || 0) >= 1", timeout=5000)  # it rang
    shot(page, f"{name}-offer")
    assert_accessible(page, what="offer")
    page.keyboard.press("Alt+A")
    expect(offer).to_have_count(0)
    tab = page.get_by_role("tab", name="Dana Scully")
    expect(tab).to_have_attribute("aria-selected", "true")
    thread = page.get_by_role("log")
    expect(thread.locator('[data-testid="msg-inbound"]')).to_contain_text(question)
    expect(page.locator('[data-testid="agent-state"]')).to_contain_text(t["state.busy"])

    # the agent replies (Enter sends); the customer gets it
    box = page.get_by_label(t["composer.label"])
    expect(box).to_be_focused()  # the keyboard lands in the accepted conversation's reply box
    answer = "سلام دانا، بررسی می‌کنم." if lang == "fa" else "Hi Dana, let me check your bill."
    box.fill(answer)
    box.press("Enter")
    expect(thread.locator('[data-testid="msg-outbound"]', has_text=answer)).to_be_visible()
    customer.hears(answer)
    expect(box).to_have_value("")

    # a canned response with "/": the list, Enter picks it, rendered for this customer
    box.press_sequentially("/than")
    expect(page.get_by_role("listbox")).to_contain_text("/thanks")
    box.press("Enter")
    expect(box).to_have_value("Thank you Dana Scully, anything else?")
    box.press("Enter")
    customer.hears("Thank you Dana Scully, anything else?")

    # a file: uploaded, sent with the reply, shown in the thread (read with the agent's token), received
    page.locator(".composer input[type=file]").set_input_files([{"name": "bill.png", "mimeType": "image/png",
                                                                 "buffer": PNG}])
    expect(page.locator(".pending-files li")).to_contain_text("bill.png")
    box.fill("See the bill")
    box.press("Enter")
    sent = thread.locator('[data-testid="msg-outbound"]', has_text="See the bill")
    expect(sent.locator("img.thumb")).to_have_attribute("src", re.compile(r"^blob:"))
    (got,) = customer.hears("See the bill")["message"]["attachments"]
    assert got["name"] == "bill.png" and got["size"] == len(PNG)

    # an internal note: visibly different, never sent to the customer
    page.get_by_label(t["composer.note_toggle"], exact=True).check()
    note_box = page.get_by_label(t["composer.note_label"], exact=True).and_(page.locator("textarea"))
    note = "یادداشت: مشتری قدیمی" if lang == "fa" else "Note: long-standing customer"
    note_box.fill(note)
    page.get_by_role("button", name=t["composer.add_note"]).click()
    shown = thread.locator('[data-testid="msg-note"]', has_text=note)
    expect(shown).to_be_visible()
    assert shown.evaluate("e => getComputedStyle(e).fontStyle") == "italic"
    the_customer_says_more = "ممنون" if lang == "fa" else "Thanks!"
    customer.say(the_customer_says_more)
    expect(thread.locator('[data-testid="msg-inbound"]', has_text=the_customer_says_more)).to_be_visible()
    assert not any(f.get("type") == "message" and f["message"].get("body") == note for f in customer.socket.frames)
    _fits(page, viewport)
    shot(page, f"{name}-chat")
    assert_accessible(page, what="chat")
    if viewport["width"] <= 480:  # the customer panel is a drawer on a phone
        page.get_by_role("button", name=t["side.toggle"], exact=True).click()
        expect(page.locator("#side-panel .customer-name")).to_have_text("Dana Scully")
        shot(page, f"{name}-drawer")
        page.get_by_role("button", name=t["side.close"], exact=True).click()  # the drawer covers the toggle
        expect(page.locator("#side-panel")).to_be_hidden()
    else:
        expect(page.locator("#side-panel .customer-name")).to_have_text("Dana Scully")

    # a reload keeps the session, the conversation and the unsent draft
    draft = "پیش‌نویس پاسخ" if lang == "fa" else "Half-written answer"
    box.fill(draft)
    page.reload()
    expect(page.get_by_role("tab", name="Dana Scully")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label(t["composer.label"])).to_have_value(draft)
    expect(thread.locator('[data-testid="msg-note"]', has_text=note)).to_be_visible()
    page.get_by_label(t["composer.label"]).fill("")
    expect(page.get_by_role("toolbar").get_by_role("button", name=t["pane.end"], exact=True)).to_be_visible()

    # wrap up with a disposition and notes: the tab goes, the event is stored
    page.get_by_role("button", name=t["pane.wrap_up"]).click()
    form = page.locator("form.wrapup")
    form.get_by_label(t["wrap.disposition"]).fill("billing_fixed")
    form.get_by_label(t["wrap.notes"]).fill("Explained the bill")
    shot(page, f"{name}-wrapup")
    assert_accessible(page, what="wrap-up")
    form.get_by_role("button", name=t["wrap.submit"]).click()
    expect(page.get_by_role("tab")).to_have_count(0)
    wait_for(lambda: any(e.disposition == "billing_fixed" for e in centre.events("WrapUpCompleted")), 15,
             "no WrapUpCompleted with the disposition")

    # a break: aux with its reason
    page.get_by_label(t["state.aux_label"]).select_option("break")
    expect(page.locator('[data-testid="agent-state"]')).to_contain_text(t["reason.break"])
    _fits(page, viewport)
    shot(page, f"{name}-break")
    assert_accessible(page, what="break")
    return customer


def _expected(status: int, url: str) -> bool:
    """The refused wrong password, and the desktop API routes this server may not have yet (the desktop
    shows "—" and a free disposition code without them)."""
    return ((status == 401 and url.endswith("/api/auth/token"))
            or (status == 404 and (url.endswith("/api/agent/today") or url.endswith("/wrapup-options"))))


def _fits(page: Page, viewport: dict[str, int]) -> None:
    """Nothing overflows the screen sideways (tabs scroll inside their bar)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], width


def test_two_chats_as_tabs_then_a_server_restart_that_keeps_the_draft(browser: Any, tmp_path: Path) -> None:
    """A non-agent user is told so; two chats are two tabs (Ctrl+1/2, an unread badge on the hidden one);
    a server restart shows the offline banner, then reconnects and resynchronises without losing the draft."""
    t = texts("en")
    with centre_for_desktop(tmp_path) as centre:
        context = browser.new_context(viewport=WIDE)
        page = context.new_page()
        fox = Customer(centre.url, "Fox Mulder")
        dana: Customer | None = None
        try:
            page.goto(f"{centre.url}/desktop")
            # a user with a second factor: the one-time code field appears when the server asks for it
            centre.admin.ok("PUT", "/api/users/sue", {"password": PASSWORD, "role": "supervisor"})
            sue = Client(centre.url, "sue", PASSWORD)
            secret = sue.ok("POST", "/api/auth/totp")["secret"]
            sue.ok("POST", "/api/auth/totp/confirm", {"code": totp.code_at(secret, time.time())})
            sue.close()
            _sign_in(page, t, "sue", PASSWORD)
            expect(page.locator(".signin .error")).to_have_text(t["signin.totp_needed"])
            expect(page.get_by_label(t["signin.totp"])).to_be_focused()
            page.get_by_label(t["signin.totp"]).fill("000000")
            page.get_by_role("button", name=t["signin.submit"]).click()
            expect(page.locator(".signin .error")).to_have_text(t["signin.bad_credentials"])

            _sign_in(page, t, "admin", ADMIN_PASSWORD)
            expect(page.get_by_role("alert")).to_contain_text("admin")  # not an agent: the desktop says so
            page.get_by_role("button", name=t["signout"]).click()
            _sign_in(page, t, "ann", PASSWORD)
            page.get_by_role("button", name=t["state.login"]).click()
            fox.say("Is anyone there?")
            page.get_by_role("button", name=t["offer.accept"]).click()
            dana = Customer(centre.url, "Dana Scully")
            dana.say("Me too, please")
            page.get_by_role("button", name=t["offer.accept"]).click()
            tabs = page.get_by_role("tab")
            expect(tabs).to_have_count(2)
            expect(page.get_by_role("tab", name="Dana Scully")).to_have_attribute("aria-selected", "true")
            shown = page.locator("[role=tabpanel]:not([hidden])").get_by_role("log")
            expect(shown).to_contain_text("Me too, please")  # seen: not unread
            page.keyboard.press("Control+1")
            expect(page.get_by_role("tab", name="Fox Mulder")).to_have_attribute("aria-selected", "true")
            dana.say("Still waiting")  # Dana's tab is hidden: its badge counts the new message
            expect(page.get_by_role("tab", name="Dana Scully").locator(".badge")).to_have_text("1")
            expect(page.locator(".capacity")).to_contain_text("2/3")
            shot(page, "en-two-tabs")
            page.get_by_role("tab", name="Fox Mulder").press("ArrowRight")  # roving focus along the tabs
            expect(page.get_by_role("tab", name="Dana Scully")).to_be_focused()
            expect(page.get_by_role("tab", name="Dana Scully").locator(".badge")).to_have_count(0)
            page.keyboard.press("Control+1")
            box = page.locator("[role=tabpanel]:not([hidden])").get_by_label(t["composer.label"])
            box.fill("A draft written before the outage")

            centre.server.stop()  # the socket drops: the banner says so, in a live region
            banner = page.locator(".live[role=status] .banner")
            expect(banner).to_have_text(t["link.reconnecting"], timeout=15_000)
            shot(page, "en-reconnecting")
            centre.server.start(timeout=60)
            expect(banner).to_have_count(0, timeout=40_000)  # back: the new snapshot resynchronised the desk

            # what happened while away arrives: the thread is read again, the draft is still there
            fox.close()
            fox = Customer.resume(centre.url, fox.session)
            fox.say("Hello again after the restart")
            thread = page.locator("[role=tabpanel]:not([hidden])").get_by_role("log")
            again = thread.locator('[data-testid="msg-inbound"]', has_text="Hello again after the restart")
            expect(again).to_be_visible(timeout=15_000)
            expect(thread.locator('[data-testid="msg-inbound"]', has_text="Is anyone there?")).to_be_visible()
            expect(box).to_have_value("A draft written before the outage")
            expect(tabs).to_have_count(2)

            page.get_by_role("tab", name="Dana Scully").click()
            expect(page.get_by_role("tab", name="Dana Scully")).to_have_attribute("aria-selected", "true")
            page.wait_for_timeout(300)  # the choice is kept after it shows; reloading sooner can lose it
            page.reload()  # a reload comes back to the conversation on screen
            expect(page.get_by_role("tab", name="Dana Scully")).to_have_attribute("aria-selected", "true")

            # Dana's conversation resolved from its pane: it ends and leaves the desk
            page.get_by_role("tab", name="Dana Scully").click()
            page.locator("[role=tabpanel]:not([hidden])").get_by_role("button", name=t["conv.resolve"]).click()
            expect(tabs).to_have_count(1)
            wait_for(lambda: any(e.state == "resolved" for e in centre.events("ConversationStateChanged")), 15,
                     "no ConversationStateChanged to resolved")
        finally:
            fox.close()
            if dana is not None:
                dana.close()
            context.close()


def _sign_in(page: Page, t: dict[str, str], username: str, password: str) -> None:
    page.get_by_label(t["signin.username"]).fill(username)
    page.get_by_label(t["signin.password"]).fill(password)
    page.get_by_role("button", name=t["signin.submit"]).click()
