"""The desktop's email, voice, outbound and transfer panes in Debian Chromium against a REAL server (`blendcc
serve` on SQLite with its SMTP listener, a capturing relay and the fake dialer telephony): an email answered
with the rich-text composer whose draft survives a reload, a preview record skipped with a reason and the
next one dialled, the call card's buttons on the connected outbound call, and a blind transfer chosen in
the picker by keyboard. English, and Persian (right to left) with a 360 px look at the call card."""

from __future__ import annotations

import json
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from blendcc.api import routes_widget
from channels.email.peers import CaptureServer
from e2e.e2e_support import ADMIN_PASSWORD, Client, Server, free_port

from .axe import assert_accessible
from .live_centre import ALWAYS
from .webchat_standin import wait_for

pytestmark = pytest.mark.slow

PASSWORD = "panes-e2e-pw"
MAILBOX = "support@example.com"
CUSTOMER = "jane@example.com"
WIDE = {"width": 1280, "height": 900}
#: axe-core (the web package's dev dependency, installed by `make frontend`) checks WCAG 2 A/AA in the page
BILL = b"%PDF-1.4 the customer's bill"
QUOTE = b"%PDF-1.4\n%% the agent's corrected bill\n%%EOF\n"
LIST = "id,phone,name,plan,tz\nr1,+442079460001,Customer One,Gold,UTC\nr2,+442079460002,Customer Two,Silver,UTC\n"


def texts(lang: str) -> dict[str, str]:
    """The panes' catalogue for ``lang`` (what the agent must see)."""
    path = routes_widget.WEB / "i18n" / "desktop" / f"panes.{lang}.json"
    out: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return out


@contextmanager
def centre_on(tmp_path: Path, smtp_port: int) -> Iterator[tuple[Server, CaptureServer, Client]]:
    """A centre with the mailbox ``support``, queue ``sales`` (agents Ann and Bob), the preview campaign
    ``renew`` running on a two-record list, and telephony=fake where every callee answers and stays."""
    with CaptureServer() as relay:
        env = {"BLENDCC_EMAIL_SMTP_ENABLED": "true", "BLENDCC_EMAIL_SMTP_PORT": str(smtp_port),
               "BLENDCC_EMAIL_MAILBOXES": json.dumps({"support": {"address": MAILBOX}}),
               "BLENDCC_EMAIL_ATTACHMENT_DIR": str(tmp_path / "attachments"),
               "BLENDCC_EMAIL_RELAY_HOST": "127.0.0.1", "BLENDCC_EMAIL_RELAY_PORT": str(relay.port),
               "BLENDCC_EMAIL_RELAY_SECURITY": "none",
               "BLENDCC_TELEPHONY": "fake", "BLENDCC_FAKE_TELEPHONY_MIX": json.dumps({"human": 1.0}),
               "BLENDCC_FAKE_TELEPHONY_TALK_S": "[900, 900]"}
        server = Server(f"sqlite:///{tmp_path / 'panes.db'}", tmp_path, env=env)
        server.start(timeout=60)
        try:
            admin = Client(server.url, "admin", ADMIN_PASSWORD)
            admin.ok("PUT", "/api/config/calendars/always", {"weekly": ALWAYS})
            admin.ok("PUT", "/api/config/queues/sales", {"name": "Sales", "calendar_id": "always", "wrap_up_s": None,
                                                         "offer_timeout_s": 60})
            admin.ok("PUT", "/api/config/workflows/main", {"name": "Main", "default": [{"queue": "sales"}]})
            for agent, name, user in (("a1", "Ann", "ann"), ("a2", "Bob", "bob")):
                admin.ok("PUT", f"/api/config/agents/{agent}", {"name": name, "queues": ["sales"]})
                admin.ok("PUT", f"/api/users/{user}", {"password": PASSWORD, "role": "agent", "agent_id": agent})
            admin.ok("PUT", "/api/campaigns/renew", {
                "name": "Renewals", "mode": "preview", "queue_id": "sales", "caller_id": "+14155550100",
                "calling_window": {"weekly": ALWAYS}})
            r = admin.http.post("/api/campaigns/renew/lists", content=LIST.encode(),
                                headers={"content-type": "text/csv"})
            assert r.status_code == 200 and r.json()["accepted"] == 2, r.text
            admin.ok("POST", "/api/campaigns/renew/start", {})
            yield server, relay, admin
            admin.close()
        finally:
            server.stop()


def mail_in(port: int, subject: str) -> None:
    """The customer writes to the mailbox: HTML with a script that must never run, and a plain part."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = f"Jane Roe <{CUSTOMER}>", MAILBOX, subject
    msg.set_content("Hello, my bill is wrong.")
    msg.add_alternative("<p>Hello, my <b>bill</b> is wrong.</p><script>parent.pwned = 1</script>", subtype="html")
    msg.add_attachment(BILL, maintype="application", subtype="pdf", filename="bill.pdf")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(msg)


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/desktop")
    page.locator("input[name=username]").fill("ann")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator(".topbar")).to_be_visible(timeout=15_000)


def accept_offer(page: Page) -> None:
    offer = page.locator("[data-testid=offer]").first
    expect(offer).to_be_visible(timeout=20_000)
    offer.locator("button.primary").click()


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_email_outbound_call_card_and_transfer_in_the_desktop(lang: str, browser: Any, tmp_path: Path) -> None:
    t = texts(lang)
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)

    def shot(page: Page, name: str) -> None:
        """The screenshot of a step, once the page passes the accessibility check there."""
        assert_accessible(page, what=name)
        page.screenshot(path=str(artifacts / f"desktop-panes-{name}-{lang}.png"), full_page=True)

    smtp_port = free_port()
    with centre_on(tmp_path, smtp_port) as (server, relay, admin):
        ann = Client(server.url, "ann", PASSWORD)
        bob = Client(server.url, "bob", PASSWORD)
        context = browser.new_context(viewport=WIDE, locale="fa-IR" if lang == "fa" else "en-GB")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            sign_in(page, server.url)
            assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "fa" else "ltr")
            ann.ok("POST", "/api/agent/login", {"status": "available"})

            # ---- email: the thread (sanitised HTML in a sandboxed frame), a reply whose draft survives a reload
            mail_in(smtp_port, "Wrong bill")
            accept_offer(page)
            pane = page.locator(".pn-email")
            expect(pane.locator(".pn-subject")).to_have_text("Wrong bill", timeout=15_000)
            frame = pane.locator("iframe.pn-html")
            expect(frame).to_have_attribute("sandbox", "")
            expect(page.frame_locator("iframe.pn-html").locator("b")).to_have_text("bill")
            assert page.evaluate("window.pwned") is None  # nothing of the mail ran
            with page.expect_download() as download:  # the mail's file, read with the agent's token
                pane.locator(".pn-mail-inbound .pn-attachments button", has_text="bill.pdf").click()
            assert Path(download.value.path()).read_bytes() == BILL and download.value.suggested_filename == "bill.pdf"
            pane.get_by_role("button", name=t["email.reply"], exact=True).click()
            editor = pane.locator(".pn-editor")
            editor.click()
            page.keyboard.type("Your bill ")
            pane.get_by_role("button", name=t["email.bold"]).click()
            page.keyboard.type("is fixed")
            expect(editor.locator("b")).to_have_text("is fixed")
            # a new file for the reply: uploaded to the email channel's store, kept in the draft
            pane.get_by_label(t["email.attach"]).set_input_files(
                files=[{"name": "quote.pdf", "mimeType": "application/pdf", "buffer": QUOTE}])
            expect(pane.locator("form .pn-attachments li", has_text="quote.pdf")).to_have_count(1)
            page.wait_for_function("Object.keys(localStorage).some(k => k.startsWith('blendcc.desktop.draft.email:')"
                                   " && localStorage.getItem(k).includes('is fixed')"
                                   " && localStorage.getItem(k).includes('quote.pdf'))")
            page.reload()
            pane = page.locator(".pn-email")
            editor = pane.locator(".pn-editor")
            expect(editor.locator("b")).to_have_text("is fixed", timeout=15_000)  # the draft came back
            expect(pane.get_by_role("textbox", name=t["email.to"])).to_have_value(CUSTOMER)
            expect(pane.locator(".pn-mail-inbound")).to_have_count(1)  # the thread is back too
            expect(pane.locator("form .pn-attachments li", has_text="quote.pdf")).to_have_count(1)
            shot(page, "email")
            if lang == "fa":
                narrow(page, shot, "email-360")
            pane.get_by_role("button", name=t["email.send"], exact=True).click()
            expect(pane.locator(".pn-live")).to_have_text(t["email.sent"])
            expect(pane.locator(".pn-mail-outbound")).to_have_count(1)
            wait_for(lambda: len(relay.received) == 1, 20, "the reply was not relayed")
            sent = relay.received[0]
            assert sent.rcpt_tos == [CUSTOMER]
            html = sent.message.get_body(("html",))
            plain = sent.message.get_body(("plain",))
            assert html is not None and "<b>is fixed</b>" in html.get_content()
            assert plain is not None and "Your bill is fixed" in plain.get_content()
            (attached,) = list(sent.message.iter_attachments())  # the agent's file as a real MIME part
            assert attached.get_filename() == "quote.pdf" and attached.get_content_type() == "application/pdf"
            assert attached.get_content() == QUOTE
            assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('blendcc.desktop.draft'))") == []
            # forward to one new address, with a copy: the API's forward mode
            pane.get_by_role("button", name=t["email.forward"], exact=True).click()
            pane.get_by_role("textbox", name=t["email.to"]).fill("billing@example.org")
            pane.get_by_role("textbox", name=t["email.cc"]).fill("boss@example.org")
            expect(editor).to_have_attribute("contenteditable", "true")  # the reply's send has finished
            # the end of that send may reset the composer on a loaded machine: the addresses are set again
            pane.get_by_role("textbox", name=t["email.to"]).fill("billing@example.org")
            pane.get_by_role("textbox", name=t["email.cc"]).fill("boss@example.org")
            expect(pane.get_by_role("textbox", name=t["email.to"])).to_have_value("billing@example.org")
            editor.click()
            page.keyboard.type("Please check this bill.")
            expect(editor).to_contain_text("Please check this bill.")
            page.keyboard.press("Control+Enter")
            email_id = ann.get("/api/agent")["work"][0]["contact_id"]
            try:  # a failed first delivery is retried after 2, 4, 8 and 16 s: allow the whole back-off
                wait_for(lambda: len(relay.received) >= 2, 35, "the forward was not relayed")
            except AssertionError:
                shown = pane.locator(".error, [role=alert], .pn-live").all_inner_texts()
                thread = [(m["direction"], m["address"], m["status"], m["status_reason"], m["attempts"])
                          for m in ann.get(f"/api/contacts/{email_id}/messages")["messages"]]
                raise AssertionError(f"the forward was not relayed; the pane shows {shown}; "
                                     f"the thread: {thread}") from None
            assert len(relay.received) == 2
            forwarded = relay.received[1]
            assert sorted(forwarded.rcpt_tos) == ["billing@example.org", "boss@example.org"]
            body = forwarded.message.get_body(("plain",))
            assert body is not None and "Please check this bill." in body.get_content()
            expect(pane.locator(".pn-mail-outbound")).to_have_count(2)
            ann.ok("POST", f"/api/agent/contacts/{email_id}/end")
            ann.ok("POST", f"/api/agent/contacts/{email_id}/wrapup", {})

            # ---- outbound: preview a record, skip it with a reason, dial the next one
            expect(page.locator(".pn-email")).to_have_count(0)  # the email's tab has gone
            panel = page.locator(".pn-outbound")
            picker = panel.locator("#pn-out-campaign")  # the campaigns of Ann's queues (GET /api/agent/campaigns)
            expect(picker).to_have_value("renew")  # the only one: running, chosen for her
            option = t["out.campaign_option"].replace("{name}", "Renewals")
            expect(picker.locator("option")).to_have_text([option.replace("{state}", t["out.state_running"])])
            picker.select_option("renew")
            assert page.evaluate("localStorage.getItem('blendcc.desktop.outbound.campaign')") == "renew"
            admin.ok("POST", "/api/campaigns/renew/pause", {})  # pushed to Ann's socket: the list follows
            expect(picker.locator("option")).to_have_text([option.replace("{state}", t["out.state_paused"])])
            expect(panel.get_by_role("button", name=t["out.next_record"])).to_be_disabled()
            admin.ok("POST", "/api/campaigns/renew/start", {})
            expect(picker.locator("option")).to_have_text([option.replace("{state}", t["out.state_running"])])

            # manual dial: the checks come first, Dial only when every one passed for that number
            admin.ok("POST", "/api/dnc/global/numbers", {"phone": "+442079460099", "reason": "asked"}, expect=201)
            manual = panel.locator("section[aria-labelledby=pn-manual-h]")
            expect(manual.locator("#pn-manual-campaign")).to_have_value("renew")
            manual_dial = manual.get_by_role("button", name=t["out.dial"], exact=True)
            manual.get_by_label(t["out.number"]).fill("+442079460099")
            manual.get_by_role("button", name=t["out.check"], exact=True).click()
            expect(manual.locator(".pn-fail")).to_contain_text(t["out.check_dnc"])
            expect(manual_dial).to_be_disabled()
            manual.get_by_label(t["out.number"]).fill("+442079460055")
            expect(manual.locator(".pn-checks")).to_have_count(0)  # checks of another number are not shown
            manual.get_by_role("button", name=t["out.check"], exact=True).click()
            expect(manual.locator(".pn-pass").first).to_be_visible()
            expect(manual.locator(".pn-fail")).to_have_count(0)
            expect(manual_dial).to_be_enabled()
            shot(page, "manual-dial")
            panel.get_by_role("button", name=t["out.next_record"]).click()
            expect(panel.locator(".pn-phone")).to_have_text("+442079460001")
            expect(panel.locator(".pn-record")).to_contain_text("Customer One")
            panel.get_by_role("button", name=t["out.skip"], exact=True).click()
            panel.get_by_label(t["out.skip_reason"]).select_option("already_customer")
            panel.get_by_role("button", name=t["out.confirm_skip"]).click()
            expect(panel.locator(".pn-phone")).to_have_count(0)
            wait_for(lambda: _skips(server) == [t["out.reason_already_customer"]], 10, "the skip was not logged")
            panel.get_by_role("button", name=t["out.next_record"]).click()
            expect(panel.locator(".pn-phone")).to_have_text("+442079460002")
            shot(page, "preview")
            panel.get_by_role("button", name=t["out.dial"], exact=True).first.click()

            # ---- the call card of the answered outbound call
            card = page.locator(".pn-voice")
            expect(card).to_be_visible(timeout=40_000)  # the fake callee answers within 20 s
            expect(card.locator(".pn-caller")).to_have_text("+442079460002")
            expect(card.locator(".pn-badge")).to_have_text(t["voice.outbound"].replace("{campaign}", "renew"))
            call_id = next(w["contact_id"] for w in ann.get("/api/agent")["work"] if w["channel"] == "voice")
            expect(manual_dial).to_be_disabled()  # on a call: the earlier checks no longer hold
            card.get_by_role("button", name=t["voice.hold"]).click()
            expect(card.get_by_role("button", name=t["voice.resume"])).to_have_attribute("aria-pressed", "true")
            assert _stage(ann, call_id) == "held"
            card.get_by_role("button", name=t["voice.resume"]).click()
            expect(card.get_by_role("button", name=t["voice.hold"])).to_have_attribute("aria-pressed", "false")
            assert _stage(ann, call_id) == "busy"
            # no SIP stack with fake telephony: the media controls say so instead of failing silently
            card.get_by_role("button", name=t["voice.record"]).click()
            expect(card.get_by_role("alert")).not_to_be_empty()
            card.get_by_role("button", name=t["voice.keypad"]).click()
            card.get_by_role("button", name=t["voice.key"].replace("{key}", "5")).click()
            expect(card.locator(".pn-dtmf-sent")).to_have_text("5")
            shot(page, "call")
            if lang == "fa":
                narrow(page, shot, "call-360")

            # ---- blind transfer to Bob, chosen by keyboard in the picker
            bob.ok("POST", "/api/agent/login", {"status": "available"})
            card.get_by_role("button", name=t["voice.transfer"], exact=True).focus()
            page.keyboard.press("Enter")
            dialog = page.get_by_role("dialog")
            search = dialog.get_by_role("combobox")
            expect(search).to_be_focused()
            bob_option = dialog.get_by_role("option", name="Bob")
            expect(dialog.get_by_role("option", name="Sales")).to_be_visible()
            expect(dialog.get_by_role("option", name="Ann")).to_have_count(0)  # never oneself
            expect(bob_option).to_contain_text(t["xfer.avail_free"])
            # live while open: Bob's breaks reach the picker over the socket's directory feed
            bob.ok("POST", "/api/agent/status", {"status": "aux", "reason": "break"})
            expect(bob_option).to_contain_text(t["xfer.state_aux"])
            expect(bob_option.locator(".pn-dot-busy")).to_have_count(1)
            bob.ok("POST", "/api/agent/status", {"status": "available"})
            expect(bob_option).to_contain_text(t["xfer.avail_free"])
            page.keyboard.type("bo")
            expect(dialog.get_by_role("option")).to_have_count(1)
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")
            confirm = dialog.get_by_role("button", name=t["xfer.transfer_to"].replace("{name}", "Bob"))
            expect(confirm).to_be_focused()
            shot(page, "transfer")
            page.keyboard.press("Enter")
            expect(dialog).to_have_count(0)
            wait_for(lambda: any(w["contact_id"] == call_id for w in bob.get("/api/agent")["work"]), 10,
                     "the call did not reach Bob")
            # Ann's leg ended: her tab is in wrap-up, the card says so and offers no more controls
            expect(card.locator(".pn-state")).to_have_text(t["voice.state_ended"])
            expect(card.get_by_role("button", name=t["voice.hang_up"])).to_be_disabled()
            assert _stage(ann, call_id) == "wrap_up"
            assert errors == [], errors
        finally:
            context.close()
            ann.close()
            bob.close()


def narrow(page: Page, shot: Any, name: str) -> None:
    """The page on a 360 px phone: nothing overflows sideways; then back to the wide screen."""
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, name)
    page.set_viewport_size(WIDE)


def _stage(client: Client, contact_id: str) -> str:
    return str(next(w["stage"] for w in client.get("/api/agent")["work"] if w["contact_id"] == contact_id))


def _skips(server: Server) -> list[str]:
    """The reasons of the preview skips the server stored, read from its database as a report would."""
    from blendcc.adapters.storage.engine import make_engine
    from blendcc.adapters.storage.sql_store import SqlStore

    engine = make_engine(server.database_url)
    try:
        return [s.event.reason for s in SqlStore(engine).events_of_type(["PreviewSkipped"])]
    finally:
        engine.dispose()
