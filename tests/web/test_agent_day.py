"""An agent's whole day in the desktop, in order, against ONE real `blendcc serve` (SIP edge, browser phone,
SMTP listener, web chat, fake dialer telephony) in Debian Chromium with fake media devices: sign in, go
available, a web chat accepted by keyboard and answered with a canned response, an email replied to, a SIP
call answered in the browser phone (RTP both ways), held and blind-transferred by keyboard, a preview call
wrapped up with a campaign disposition and a personal callback, a break, sign out. English (1280 px) and
Persian (412 px, right to left); screenshots test-artifacts/day-<lang>-<nn>-<step>.png."""

from __future__ import annotations

import json
import re
import smtplib
import time
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from blendcc.api import routes_pages, routes_widget
from e2e.e2e_support import Client, free_port, wait_until

from .axe import assert_accessible
from .desktop_live import (
    AGENTS,
    ARTIFACTS,
    PASSWORD,
    DesktopCentre,
    desktop_browser,  # noqa: F401 (fixture)
    live_desktop,
)
from .live_centre import INSTANCE
from .test_desktop_phone import INBOUND_AUDIO, KEEP_PEERS, ThreadedCustomer
from .test_desktop_ui import Customer

pytestmark = pytest.mark.slow

CATALOGUES = routes_widget.WEB / "i18n" / "desktop"
MAILBOX = "support@example.com"
RUNS = [pytest.param("en", "ann", {"width": 1280, "height": 900}, id="en-1280px"),
        pytest.param("fa", "parisa", {"width": 412, "height": 900}, id="fa-412px")]


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "panes", "phone"):
        out.update(json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8")))
    return out


@pytest.fixture(scope="module")
def day_centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DesktopCentre]:
    """The desktop fixture's seeded centre, plus the SMTP listener (mailbox ``email``) and the web chat."""
    smtp_port = free_port()
    extra = {"BLENDCC_FAKE_TELEPHONY_TALK_S": "[900, 900]",
             "BLENDCC_WEBCHAT": json.dumps({"default": INSTANCE}),
             "BLENDCC_EMAIL_SMTP_ENABLED": "true", "BLENDCC_EMAIL_SMTP_PORT": str(smtp_port),
             "BLENDCC_EMAIL_MAILBOXES": json.dumps({"email": {"address": MAILBOX}})}
    with live_desktop(tmp_path_factory.mktemp("day"), extra) as centre:
        centre.smtp_port = smtp_port  # type: ignore[attr-defined]
        yield centre


def mail_in(port: int, sender: str, subject: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, MAILBOX, subject
    msg.set_content("Hello, please change my address.")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(msg)


def work(agent: Client) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = agent.get("/api/agent")["work"]
    return out


def events(centre: DesktopCentre, kind: str) -> list[Any]:
    from blendcc.adapters.storage.engine import make_engine
    from blendcc.adapters.storage.sql_store import SqlStore

    engine = make_engine(centre.server.database_url)
    try:
        return [s.event for s in SqlStore(engine).events_of_type([kind])]
    finally:
        engine.dispose()


@pytest.mark.parametrize(("lang", "user", "viewport"), RUNS)
def test_an_agents_whole_day(lang: str, user: str, viewport: dict[str, int], desktop_browser: Any,  # noqa: F811
                             day_centre: DesktopCentre) -> None:
    if not (routes_pages.DESKTOP / "index.html").is_file():
        pytest.fail("the desktop is not built: run `make frontend`", pytrace=False)
    centre, t = day_centre, texts(lang)
    me = centre.agent(user)
    aid = next(a for a, (u, _n, _l) in AGENTS.items() if u == user)
    ARTIFACTS.mkdir(exist_ok=True)
    step = [0]

    def shot(page: Page, name: str, axe: bool = False) -> None:
        step[0] += 1
        if axe:
            assert_accessible(page, what=f"{lang} {name}")
        page.screenshot(path=str(ARTIFACTS / f"day-{lang}-{step[0]:02d}-{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1, name

    context = desktop_browser.new_context(viewport=viewport, locale="en-GB", permissions=["microphone"])
    context.add_init_script(KEEP_PEERS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    chat: Customer | None = None
    caller = ThreadedCustomer()
    try:
        # 1. sign in (the language picked on the sign-in page)
        page.goto(centre.desktop_url)
        page.get_by_label(texts("en")["lang.label"]).select_option(lang)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
        page.get_by_label(t["signin.username"]).fill(user)
        page.get_by_label(t["signin.password"]).fill(PASSWORD)
        page.get_by_role("button", name=t["signin.submit"]).click()
        expect(page.locator('[data-testid="agent-state"]')).to_contain_text(t["state.offline"])
        shot(page, "signed-in", axe=True)

        # 2. go available; the browser phone on
        page.get_by_role("button", name=t["state.login"]).click()
        expect(page.locator('[data-testid="agent-state"]')).to_contain_text(t["state.available"])
        assert me.get("/api/agent")["logged_in"] is True
        page.get_by_role("button", name=t["phone.enable"]).click()
        phone = page.locator(".phone")
        expect(phone.get_by_role("status")).to_have_text(t["phone.ready"])
        shot(page, "available")

        # 3. a web chat: accepted by keyboard, a canned reply, wrapped up with a disposition
        me.ok("POST", "/api/canned", {"scope": "personal", "owner": aid, "shortcut": "thanks", "title": "Thanks",
                                      "body": "Thank you {customer.name}, anything else?"}, expect=201)
        chat = Customer(centre.url, "Dana Scully")
        chat.say("سلام، قبض من اشتباه است." if lang == "fa" else "Hello, my bill looks wrong.")
        offer = page.locator('[data-testid="offer"]')
        expect(offer).to_contain_text("Dana Scully", timeout=20_000)
        shot(page, "chat-offer", axe=True)
        page.keyboard.press("Alt+A")
        expect(offer).to_have_count(0)
        box = page.get_by_label(t["composer.label"])
        expect(box).to_be_focused()
        box.press_sequentially("/than")
        expect(page.get_by_role("listbox")).to_contain_text("/thanks")
        box.press("Enter")
        expect(box).to_have_value("Thank you Dana Scully, anything else?")
        box.press("Enter")
        chat.hears("Thank you Dana Scully, anything else?")
        shot(page, "chat")
        wrap_up(page, t, "resolved")
        wait_until(lambda: any(e.disposition == "resolved" and e.agent_id == aid
                               for e in events(centre, "WrapUpCompleted")), 15, "the chat's wrap-up")
        expect(page.get_by_role("tab")).to_have_count(0)

        # 4. an email: reply, wrap up with a disposition
        mail_in(centre.smtp_port, f"Jane Roe <jane.{lang}@example.com>", f"Address change {lang}")  # type: ignore
        expect(offer).to_contain_text("Jane Roe", timeout=20_000)
        offer.locator("button.primary").click()
        expect(offer).to_have_count(0)
        pane = page.locator(".pn-email")
        expect(pane.locator(".pn-subject")).to_have_text(f"Address change {lang}", timeout=15_000)
        pane.get_by_role("button", name=t["email.reply"], exact=True).click()
        pane.locator(".pn-editor").click()
        page.keyboard.type("Your address is changed.")
        pane.get_by_role("button", name=t["email.send"], exact=True).click()
        expect(pane.locator(".pn-mail-outbound")).to_have_count(1)
        shot(page, "email", axe=True)
        wrap_up(page, t, "follow_up")
        wait_until(lambda: any(e.disposition == "follow_up" and e.agent_id == aid
                               for e in events(centre, "WrapUpCompleted")), 15, "the email's wrap-up")

        # 5. a voice call to the browser phone: answered in the page, audio both ways, hold, blind transfer
        # Li, the colleague it goes to, has his desktop open with the browser phone on
        li = centre.agent("li")
        li_context = desktop_browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                                 permissions=["microphone"])
        li_page = li_context.new_page()
        signed_in_with_phone(li_page, centre.desktop_url, "li", texts("en"))
        assert li.get("/api/agent")["logged_in"] is True
        caller.call(centre.sip_port, "+442079460100")
        ring = phone.get_by_role("group", name=t["phone.incoming"])
        expect(ring).to_contain_text("+442079460100", timeout=20_000)
        shot(page, "ringing")
        ring.get_by_role("button", name=t["phone.answer"]).click()
        wait_until(lambda: "answered" in caller.events, 15, "the call to be answered")
        expect(phone.locator(".phone-call")).to_contain_text(t["phone.talking"], timeout=15_000)
        time.sleep(2.5)
        assert len(caller.heard) > 50 and caller.peak() > 300, (len(caller.heard), caller.peak())
        inbound = page.evaluate(INBOUND_AUDIO)
        assert inbound is not None and inbound["packets"] > 50 and inbound["energy"] > 0, inbound
        card = page.locator(".pn-voice")
        expect(card).to_be_visible(timeout=15_000)
        call_id = next(w["contact_id"] for w in work(me) if w["channel"] == "voice")
        card.get_by_role("button", name=t["voice.hold"]).click()
        expect(card.get_by_role("button", name=t["voice.resume"])).to_have_attribute("aria-pressed", "true")
        assert stage(me, call_id) == "held"
        card.get_by_role("button", name=t["voice.resume"]).click()
        expect(card.get_by_role("button", name=t["voice.hold"])).to_have_attribute("aria-pressed", "false")
        assert stage(me, call_id) == "busy"
        shot(page, "call", axe=True)
        card.get_by_role("button", name=t["voice.transfer"], exact=True).focus()
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("combobox")).to_be_focused()
        page.keyboard.type("li")
        expect(dialog.get_by_role("option", name="Li Wei")).to_be_visible()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        confirm = dialog.get_by_role("button", name=t["xfer.transfer_to"].replace("{name}", "Li Wei"))
        expect(confirm).to_be_focused()
        shot(page, "transfer")
        page.keyboard.press("Enter")
        expect(dialog).to_have_count(0)
        wait_until(lambda: any(w["contact_id"] == call_id for w in work(li)), 15, "the call to reach Li")
        assert any(e.contact_id == call_id for e in events(centre, "ContactTransferred"))
        expect(card.locator(".pn-state")).to_have_text(t["voice.state_ended"])
        assert stage(me, call_id) == "wrap_up"
        wrap_up(page, t, "escalated")
        wait_until(lambda: stage_or_none(me, call_id) is None, 15, "the transferred call's wrap-up")
        # Li answers in his page: the caller talks to him now; Li's side of the day ends there
        li_phone = li_page.locator(".phone")
        li_phone.get_by_role("group", name=texts("en")["phone.incoming"]).get_by_role(
            "button", name=texts("en")["phone.answer"]).click()
        wait_until(lambda: stage_or_none(li, call_id) == "busy", 15, "Li to take the call")
        li_phone.get_by_role("button", name=texts("en")["phone.hangup"]).click()
        wait_until(lambda: stage_or_none(li, call_id) in ("wrap_up", None), 15, "Li's call to end")
        if stage_or_none(li, call_id) == "wrap_up":
            li.ok("POST", f"/api/agent/contacts/{call_id}/wrapup", {"disposition": "resolved"})
        li.ok("POST", "/api/agent/logout")
        li_context.close()

        # 6. a preview call: next record, dial, campaign disposition + a personal callback from the wrap-up
        panel = page.locator(".pn-outbound")
        side(page, t, panel)
        campaign = panel.get_by_label(t["out.campaign"]).first
        if campaign.evaluate("e => e.tagName") == "SELECT":  # the agent's campaigns listed by the server
            expect(campaign.locator('option[value="renewals"]')).to_have_count(1)
            campaign.select_option("renewals")
        else:
            campaign.fill("renewals")
        panel.get_by_role("button", name=t["out.next_record"]).click()
        number = panel.locator(".pn-phone")
        expect(number).to_have_text(re.compile(r"^\+44\d+$"), timeout=15_000)
        dialled = number.inner_text().strip()
        shot(page, "preview")
        panel.get_by_role("button", name=t["out.dial"], exact=True).first.click()
        card = page.locator(".pn-voice")
        expect(card).to_be_visible(timeout=40_000)
        expect(card.locator(".pn-caller")).to_have_text(dialled)
        shot(page, "preview-call", axe=True)
        card.get_by_role("button", name=t["voice.hang_up"]).click()
        form = open_wrap_up(page, t)
        codes = form.get_by_role("combobox", name=t["wrap.disposition"])
        expect(codes.locator('option[value="callback"]')).to_have_count(1)  # the campaign's codes
        codes.select_option("callback")
        form.get_by_label(t["wrap.callback_at"]).fill("2031-03-04T10:30")
        expect(form.get_by_label(t["wrap.callback_personal"])).to_be_checked()
        shot(page, "preview-wrapup", axe=True)
        form.get_by_role("button", name=t["wrap.submit"]).click()
        expect(form).to_have_count(0)
        wait_until(lambda: any(c.get("phone") == dialled for c in me.get("/api/agent/callbacks")), 15,
                   "the personal callback")
        # "My callbacks" reloads on the wrap-up's frame: the new callback shows without a page reload
        side(page, t, panel)
        mine = panel.get_by_role("region", name=t["out.callbacks"])
        expect(mine.get_by_role("listitem").filter(has_text=dialled)).to_have_count(1, timeout=15_000)
        shot(page, "callbacks")
        if viewport["width"] <= 480:  # the drawer closes again
            page.get_by_role("button", name=t["side.close"], exact=True).click()
            expect(panel).to_be_hidden()

        # 7. a break: aux with its reason
        page.get_by_label(t["state.aux_label"]).select_option("break")
        expect(page.locator('[data-testid="agent-state"]')).to_contain_text(t["reason.break"])
        view = me.get("/api/agent")
        assert view["presence"] == "aux" and view["reason"] == "break", view
        shot(page, "break", axe=True)

        # 8. sign out: leave the queues, then the session
        page.get_by_role("button", name=t["state.logout"]).click()
        expect(page.locator('[data-testid="agent-state"]')).to_contain_text(t["state.offline"])
        assert me.get("/api/agent")["logged_in"] is False
        page.get_by_role("button", name=t["signout"]).click()
        expect(page.get_by_label(t["signin.username"])).to_be_visible()
        shot(page, "signed-out")
        assert errors == [], errors
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"day-{lang}-failed.png"), full_page=True)
        raise
    finally:
        caller.close()
        if chat is not None:
            chat.close()
        context.close()


def side(page: Page, t: dict[str, str], panel: Any) -> None:
    """The side panel (customer, outbound) in view: on a phone it is a drawer opened from the tab bar."""
    if not panel.is_visible():
        page.get_by_role("button", name=t["side.toggle"], exact=True).click()
    expect(panel).to_be_visible()


def signed_in_with_phone(page: Page, url: str, user: str, t: dict[str, str]) -> None:
    """Another agent's desktop: signed in, available, the browser phone ready."""
    page.goto(url)
    page.get_by_label(t["signin.username"]).fill(user)
    page.get_by_label(t["signin.password"]).fill(PASSWORD)
    page.get_by_role("button", name=t["signin.submit"]).click()
    page.get_by_role("button", name=t["state.login"]).click()
    expect(page.locator('[data-testid="agent-state"]')).to_contain_text(t["state.available"])
    page.get_by_role("button", name=t["phone.enable"]).click()
    expect(page.locator(".phone").get_by_role("status")).to_have_text(t["phone.ready"])


def open_wrap_up(page: Page, t: dict[str, str]) -> Any:
    form = page.locator("form.wrapup")
    button = page.get_by_role("button", name=t["pane.wrap_up"])
    expect(form.or_(button).first).to_be_visible(timeout=15_000)  # a call's form opens when it ends
    if not form.is_visible():
        button.click()
    expect(form).to_be_visible(timeout=15_000)
    return form


def wrap_up(page: Page, t: dict[str, str], code: str) -> None:
    form = open_wrap_up(page, t)
    codes = form.get_by_role("combobox", name=t["wrap.disposition"])
    expect(codes.locator(f'option[value="{code}"]')).to_have_count(1)  # the queue's codes have loaded
    codes.select_option(code)
    form.get_by_role("button", name=t["wrap.submit"]).click()
    expect(form).to_have_count(0)


def stage(client: Client, contact_id: str) -> str:
    return str(next(w["stage"] for w in work(client) if w["contact_id"] == contact_id))


def stage_or_none(client: Client, contact_id: str) -> str | None:
    return next((str(w["stage"]) for w in work(client) if w["contact_id"] == contact_id), None)

