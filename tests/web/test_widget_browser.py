"""The web-chat widget in headless Chromium on a customer's site (another origin), against the protocol
stand-in of the centre: pre-chat, messages both ways, typing, delivered/read marks, queue position,
resume after reload, re-send after a lost acknowledgement, attachments, end + CSAT + transcript, the
offline form; English and Persian (right to left, mirrored), and a 360 px phone screen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .webchat_standin import PNG, Centre, CustomerSite, wait_for

pytestmark = pytest.mark.slow

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@contextmanager
def widget_page(browser: Any, site: CustomerSite, instance: str = "default", viewport: dict[str, int] = WIDE,
                lang: str | None = None) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{site.url}/?instance={instance}" + (f"&lang={lang}" if lang else ""))
    try:
        yield page
        assert problems == [], problems
    finally:
        context.close()


def start_chat(page: Page, name: str = "Alice Doe", email: str = "alice@example.org") -> None:
    page.locator(".launcher").click()
    page.locator("#bcc-name").fill(name)
    page.locator("#bcc-email").fill(email)
    page.locator("#bcc-topic").select_option("billing")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("#bcc-message")).to_be_visible()


def send(page: Page, text: str) -> None:
    page.locator("#bcc-message").fill(text)
    page.locator("#bcc-message").press("Enter")


def own(page: Page, text: str) -> Any:
    return page.locator("li.msg.own", has_text=text)


def test_english_chat_from_pre_chat_to_rating(browser: Any, centre: Centre, site: CustomerSite, shot: Any) -> None:
    with widget_page(browser, site) as page:
        launcher = page.locator(".launcher")
        expect(launcher).to_have_text("Chat with us")
        # the centre's colour, and the host page's loud CSS does not reach into the shadow root
        assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(11, 83, 148)"
        assert launcher.evaluate("e => getComputedStyle(e).fontSize") == "15px"
        launcher.click()
        expect(page.locator("#bcc-title")).to_have_text("Northwind Energy")
        expect(launcher).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#bcc-name")).to_be_focused()  # focus moves into the panel
        page.locator("form.form button[type=submit]").click()
        expect(page.get_by_role("alert")).to_have_text("Please give your name.")
        page.locator("#bcc-name").fill("Alice Doe")
        page.locator("form.form button[type=submit]").click()
        expect(page.get_by_role("alert")).to_have_text("Please give an email address or a phone number.")
        page.locator("#bcc-email").fill("alice@example.org")
        page.locator("#bcc-topic").select_option("billing")
        shot(page, "en-prechat")
        page.locator("form.form button[type=submit]").click()
        s = centre.session()
        assert s.form == {"name": "Alice Doe", "email": "alice@example.org", "phone": None, "topic": "billing",
                          "language": "en", "help_session": None}  # no help-centre visit in this browser

        expect(page.locator("#bcc-message")).to_be_focused()  # ready to type
        wait_for(lambda: s.hellos == 1 and len(s.sockets) == 1, 10, "the widget did not say hello")
        centre.queue(s, 3, 250)
        expect(page.locator(".queue")).to_contain_text("You are number 3 in the queue.")
        expect(page.locator(".queue")).to_contain_text("Expected wait: about 4 min.")

        send(page, "Hello, my meter reading looks wrong.")
        expect(own(page, "my meter reading").locator(".mark")).to_have_attribute("data-status", "sent")
        sent = centre.frames(s, "message")
        assert [f["body"] for f in sent] == ["Hello, my meter reading looks wrong."]
        assert centre.frames(s, "typing")[0] == {"type": "typing", "on": True}
        centre.mark(s, s.messages[0]["id"], "delivered")
        expect(own(page, "my meter reading").locator(".mark")).to_have_attribute("data-status", "delivered")

        centre.agent_joins(s, "Maya")
        expect(page.locator(".head .agent")).to_have_text("You are chatting with Maya")
        expect(page.locator(".queue")).to_have_count(0)
        centre.typing(s, True, "Maya")
        expect(page.locator(".typing")).to_have_text("Maya is typing…")
        reply = centre.agent_says(s, "Hi Alice, let me check your last reading.")
        theirs = page.locator("li.msg.theirs", has_text="let me check")
        expect(theirs.locator(".who")).to_have_text("Maya")
        expect(page.locator(".typing")).to_have_text("")
        wait_for(lambda: {"type": "read", "message_id": reply["id"]} in centre.frames(s, "read"), 10,
                 "the widget did not mark the agent's message read")
        centre.mark(s, s.messages[0]["id"], "read")
        expect(own(page, "my meter reading").locator(".mark")).to_have_attribute("data-status", "read")
        assert page.locator("ol.log").get_attribute("aria-live") == "polite"
        shot(page, "en-chat")

        # a reload resumes the same conversation (token in localStorage), the panel still open
        page.reload()
        expect(page.locator("li.msg.theirs", has_text="let me check")).to_be_visible()
        expect(own(page, "my meter reading")).to_be_visible()
        expect(page.locator(".head .agent")).to_have_text("You are chatting with Maya")
        assert len(centre.sessions) == 1 and s.hellos == 2

        # the network goes before a message is stored: the widget reconnects and re-sends it (same client_id)
        wait_for(lambda: len(s.sockets) == 1, 10, "no socket after the reload")
        s.lose_next = "message"
        send(page, "Are you still there?")
        expect(own(page, "still there").locator(".mark")).to_have_attribute("data-status", "delivered",
                                                                      timeout=15_000)  # stored: an agent holds it
        again = [f for f in centre.frames(s, "message") if f["body"] == "Are you still there?"]
        assert len(again) == 2 and again[0]["client_id"] == again[1]["client_id"]
        assert s.hellos == 3
        # ... and after it is stored but before the ack: the welcome carries it, nothing is stored twice
        wait_for(lambda: len(s.sockets) == 1, 10, "no socket after the reconnect")
        s.lose_next = "ack"
        send(page, "Hello?")
        expect(own(page, "Hello?").locator(".mark")).to_have_attribute("data-status", "delivered", timeout=15_000)
        assert s.hellos == 4
        assert [m["body"] for m in s.messages if m["direction"] == "inbound"] == [
            "Hello, my meter reading looks wrong.", "Are you still there?", "Hello?"]
        expect(page.locator("li.msg.own")).to_have_count(3)

        # the customer ends the chat, rates it and asks for the transcript
        page.get_by_role("button", name="End chat").click()
        expect(page.locator(".ended .notice")).to_have_text("The chat has ended.")
        assert centre.frames(s, "end") == [{"type": "end"}]
        page.locator(".star").nth(3).click()
        page.locator("#bcc-rate-comment").fill("Quick and kind.")
        expect(page.locator(".star.on")).to_have_count(4)
        shot(page, "en-rate")
        page.get_by_role("button", name="Send rating").click()
        expect(page.get_by_text("Thank you for your rating.")).to_be_visible()
        wait_for(lambda: centre.frames(s, "rate") != [], 10, "no rating sent")
        assert centre.frames(s, "rate") == [{"type": "rate", "score": 4, "comment": "Quick and kind."}]
        expect(page.locator("#bcc-transcript-email")).to_have_value("alice@example.org")
        page.get_by_role("button", name="Send transcript").click()
        expect(page.get_by_text("The transcript is on its way.")).to_be_visible()
        assert centre.transcripts == [(s.id, "alice@example.org")]
        shot(page, "en-ended")

        page.reload()  # the ended chat comes back as it was: rated, so not asked again
        expect(page.locator(".ended .notice")).to_have_text("The chat has ended.")
        expect(page.get_by_text("Thank you for your rating.")).to_be_visible()
        expect(page.locator(".star")).to_have_count(0)

        # a new chat forgets the old session
        page.get_by_role("button", name="Start a new chat").click()
        expect(page.locator("#bcc-name")).to_be_visible()


def test_attachments_are_checked_before_upload_then_sent(browser: Any, centre: Centre, site: CustomerSite,
                                                         shot: Any) -> None:
    with widget_page(browser, site) as page:
        start_chat(page)
        s = centre.session()
        picker = page.locator("input[type=file]")
        picker.set_input_files([{"name": "huge.png", "mimeType": "image/png", "buffer": b"\0" * (64 * 1024 + 1)}])
        expect(page.get_by_role("alert")).to_have_text("“huge.png” is too large: the limit is 64 KB.")
        picker.set_input_files([{"name": "tool.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"}])
        expect(page.get_by_role("alert")).to_contain_text("files of this type are not accepted")
        assert centre.uploads == []  # refused in the browser, never uploaded
        picker.set_input_files([{"name": "meter.png", "mimeType": "image/png", "buffer": PNG}])
        expect(page.locator(".staged li")).to_have_text("meter.png")
        send(page, "Here is a photo of the meter.")
        bubble = own(page, "photo of the meter")
        expect(bubble.locator(".mark")).to_have_attribute("data-status", "sent")
        expect(bubble.locator(".attachment")).to_contain_text("meter.png")
        assert [u["name"] for u in centre.uploads] == ["meter.png"]
        assert centre.frames(s, "message")[-1]["attachments"] == [centre.uploads[0]["id"]]
        assert s.messages[-1]["attachments"][0]["size"] == len(PNG)
        expect(bubble.locator(".mark-label")).to_have_text("Sent")  # the newest own message says its state
        shot(page, "en-attachment")


def test_offline_form_when_the_centre_is_closed(browser: Any, centre: Centre, site: CustomerSite, shot: Any) -> None:
    with widget_page(browser, site, instance="closed") as page:
        page.locator(".launcher").click()
        expect(page.get_by_role("heading", name="We are closed right now")).to_be_visible()
        expect(page.get_by_text("Open Monday to Friday, 8:00 to 18:00.")).to_be_visible()
        page.locator("#bcc-off-name").fill("Bob Stone")
        page.locator("#bcc-off-email").fill("bob@example.org")
        page.locator("#bcc-off-message").fill("Please call me back about my bill.")
        shot(page, "en-offline")
        page.get_by_role("button", name="Send message").click()
        expect(page.get_by_role("status")).to_have_text("Thank you. Your reference is WEB-00001.")
        assert centre.offline == [{"instance": "closed", "name": "Bob Stone", "email": "bob@example.org", "topic": None,
                                   "message": "Please call me back about my bill.", "help_session": None}]
        assert centre.sessions == {}


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None
    return box


def test_persian_is_right_to_left_and_mirrored(browser: Any, centre: Centre, site: CustomerSite, shot: Any) -> None:
    with widget_page(browser, site, instance="fa") as page:
        launcher = page.locator(".launcher")
        expect(launcher).to_contain_text("گفتگو با ما")
        assert page.locator(".root").evaluate("e => getComputedStyle(e).direction") == "rtl"
        assert _box(page, ".launcher")["x"] < WIDE["width"] / 2  # the corner mirrored: bottom left
        launcher.click()
        panel = _box(page, ".panel")
        assert panel["x"] == 20 and panel["x"] + panel["width"] < WIDE["width"] / 2
        expect(page.locator("label[for=bcc-name]")).to_have_text("نام")
        name_label, name_input = _box(page, "label[for=bcc-name]"), _box(page, "#bcc-name")
        assert name_label["x"] + name_label["width"] == pytest.approx(name_input["x"] + name_input["width"], abs=1)
        page.locator("#bcc-name").fill("مریم")
        page.locator("#bcc-phone").fill("+98 21 1234 5678")
        shot(page, "fa-prechat")
        page.locator("form.form button[type=submit]").click()
        s = centre.session()
        assert s.form["language"] == "fa" and s.form["phone"] == "+98 21 1234 5678"
        wait_for(lambda: len(s.sockets) == 1, 10, "no socket")
        centre.queue(s, 2, 30)
        expect(page.locator(".queue")).to_contain_text("شما نفر ۲ در صف هستید.")
        send(page, "سلام، قبض من اشتباه است.")
        centre.agent_joins(s, "سارا")
        centre.agent_says(s, "سلام مریم، بررسی می‌کنم.", name="سارا")
        mine, theirs = own(page, "قبض من"), page.locator("li.msg.theirs")
        expect(theirs).to_be_visible()
        expect(mine.locator(".mark")).to_have_attribute("data-status", "delivered")  # an agent holds the chat
        log = _box(page, "ol.log")
        # mirrored: the customer's own bubbles on the left, the agent's on the right
        assert _box(page, "li.msg.own")["x"] < log["x"] + 30
        theirs_box = _box(page, "li.msg.theirs")
        assert theirs_box["x"] + theirs_box["width"] > log["x"] + log["width"] - 30
        expect(page.locator(".head .agent")).to_have_text("در حال گفتگو با سارا")
        shot(page, "fa-chat")


@pytest.mark.parametrize("instance", ["default", "fa"])
def test_phone_screen_gets_a_full_screen_panel(browser: Any, centre: Centre, site: CustomerSite, shot: Any,
                                               instance: str) -> None:
    with widget_page(browser, site, instance=instance, viewport=PHONE) as page:
        launcher = _box(page, ".launcher")
        assert launcher["width"] >= 44 and launcher["height"] >= 44  # a finger-sized target
        start_chat(page, name="Chen Wei", email="chen@example.org")
        panel = _box(page, ".panel")
        assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (0, 0, PHONE["width"], PHONE["height"])
        s = centre.session()
        wait_for(lambda: len(s.sockets) == 1, 10, "no socket")
        send(page, "Hello from my phone")
        centre.agent_joins(s, "Maya")
        centre.agent_says(s, "Hello! How can I help?")
        expect(page.locator("li.msg.theirs")).to_be_visible()
        expect(own(page, "my phone").locator(".mark")).to_have_attribute("data-status", "delivered")
        composer = _box(page, ".composer")
        assert composer["y"] + composer["height"] <= PHONE["height"]  # the composer stays on screen
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing overflows
        shot(page, f"{instance}-360")


def test_keyboard_reaches_the_widget_and_escape_closes_it(browser: Any, centre: Centre, site: CustomerSite) -> None:
    with widget_page(browser, site) as page:
        expect(page.locator(".launcher")).to_be_visible()
        for _ in range(10):  # Tab from the top of the page reaches the launcher
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement?.dataset?.blendccWidget === 'default'"):
                break
        expect(page.locator(".launcher")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#bcc-name")).to_be_focused()
        page.keyboard.press("Escape")
        expect(page.locator(".panel")).to_have_count(0)
        expect(page.locator(".launcher")).to_be_focused()


def test_unknown_instance_says_the_chat_is_unavailable(browser: Any, centre: Centre, site: CustomerSite) -> None:
    with widget_page(browser, site, instance="nope") as page:
        page.locator(".launcher").click()
        expect(page.get_by_role("alert")).to_have_text("The chat is unavailable right now. Please try again later.")
        expect(page.get_by_role("button", name="Try again")).to_be_visible()


def test_a_session_the_centre_no_longer_knows_starts_afresh(browser: Any, centre: Centre, site: CustomerSite) -> None:
    with widget_page(browser, site) as page:
        start_chat(page)
        s = centre.session()
        wait_for(lambda: len(s.sockets) == 1, 10, "no socket")
        del centre.sessions[s.id]  # expired on the server: the next hello is refused (close 4401)
        centre.drop(s)
        expect(page.locator(".banner")).to_have_text("Your previous chat has expired. Please start a new one.")
        expect(page.locator("#bcc-name")).to_be_visible()
        page.reload()  # the stale token is gone from storage too
        page.locator(".launcher").click()
        expect(page.locator("#bcc-name")).to_be_visible()


def test_closed_when_starting_shows_the_offline_form(browser: Any, centre: Centre, site: CustomerSite) -> None:
    with widget_page(browser, site, instance="closing") as page:
        page.locator(".launcher").click()
        page.locator("#bcc-name").fill("Alice Doe")
        page.locator("#bcc-email").fill("alice@example.org")
        page.locator("form.form button[type=submit]").click()  # 409 closed
        expect(page.get_by_role("heading", name="We are closed right now")).to_be_visible()
        assert centre.sessions == {}


@pytest.mark.parametrize(("lang", "launcher", "name_label"), [
    ("pl", "Napisz do nas", "Imię i nazwisko"), ("ru", "Напишите нам", "Имя"), ("zh", "在线咨询", "姓名")])
def test_the_host_page_may_choose_the_language(browser: Any, centre: Centre, site: CustomerSite, lang: str,
                                               launcher: str, name_label: str) -> None:
    with widget_page(browser, site, lang=lang) as page:
        expect(page.locator(".launcher")).to_have_text(launcher)
        page.locator(".launcher").click()
        expect(page.locator("label[for=bcc-name]")).to_have_text(name_label)
        assert page.locator(".root").get_attribute("lang") == lang
        assert page.locator(".root").evaluate("e => getComputedStyle(e).direction") == "ltr"


CONTRAST = """([fg, bg]) => {
  const lum = (el, prop) => {
    const [r, g, b] = getComputedStyle(el)[prop].match(/\\d+/g).slice(0, 3).map(Number).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const a = lum(fg, 'color'), b = lum(bg, 'backgroundColor');
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_text_contrast_meets_wcag_aa(browser: Any, centre: Centre, site: CustomerSite) -> None:
    with widget_page(browser, site) as page:
        start_chat(page)
        s = centre.session()
        wait_for(lambda: len(s.sockets) == 1, 10, "no socket")
        send(page, "Hello")
        centre.queue(s, 1, 30)
        centre.agent_says(s, "Hi there")
        expect(page.locator("li.msg.theirs")).to_be_visible()
        pairs = {  # text element, the element whose background it sits on
            "header": (".head h2", ".head"), "own bubble": ("li.msg.own .body", "li.msg.own"),
            "own time": ("li.msg.own .meta", "li.msg.own"), "agent bubble": ("li.msg.theirs .body", "li.msg.theirs"),
            "agent time": ("li.msg.theirs .meta", "li.msg.theirs"), "queue": (".queue p", ".queue"),
            "send button": (".send", ".send"), "end link": (".end", ".panel"),
        }
        for what, (fg, bg) in pairs.items():
            ratio = page.evaluate(f"(sel) => ({CONTRAST})([document.querySelector('[data-blendcc-widget]').shadowRoot"
                                  ".querySelector(sel[0]), document.querySelector('[data-blendcc-widget]').shadowRoot"
                                  ".querySelector(sel[1])])", [fg, bg])
            assert ratio >= 4.5, (what, ratio)


def test_closed_panel_counts_new_messages_and_marks_them_read_only_when_seen(
        browser: Any, centre: Centre, site: CustomerSite, shot: Any) -> None:
    with widget_page(browser, site) as page:
        start_chat(page)
        s = centre.session()
        wait_for(lambda: len(s.sockets) == 1, 10, "no socket")
        centre.push(s, {"type": "a-frame-from-a-newer-server", "x": 1})  # ignored, nothing breaks
        centre.agent_joins(s, "Maya")
        first = centre.agent_says(s, "Hello Alice!")
        wait_for(lambda: {"type": "read", "message_id": first["id"]} in centre.frames(s, "read"), 10, "not read")
        page.locator(".close").click()  # the customer closes the panel
        expect(page.locator(".panel")).to_have_count(0)
        centre.agent_says(s, "Are you there?")
        last = centre.agent_says(s, "I can see your account now.")
        expect(page.locator(".launcher .badge")).to_have_text("2")
        expect(page.locator(".launcher")).to_have_attribute("aria-label", "Chat with us: 2 new messages")
        shot(page, "en-unread")
        assert all(f["message_id"] == first["id"] for f in centre.frames(s, "read"))  # unseen: not read
        page.locator(".launcher").click()
        expect(page.locator(".launcher .badge")).to_have_count(0)
        wait_for(lambda: {"type": "read", "message_id": last["id"]} in centre.frames(s, "read"), 10, "not read")
