"""The admin's main journey in Debian Chromium against the real server, in the browser only: a new queue (on the
"always" calendar), a routing workflow sending email to it (tried before saving), an agent in that queue and a
user for the agent; then an email contact arrives and is offered to that agent. On the way: a bad value is shown
at its field, the queue's history has two versions with a line diff, and a rollback restores the first; axe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from blendcc.api import routes_widget
from e2e.e2e_support import ADMIN_PASSWORD, Client

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import AgentSocket, database, real_centre
from .console_support import console_page, no_horizontal_overflow, require_console, sign_in

pytestmark = pytest.mark.slow
CATALOGUES = routes_widget.WEB / "i18n" / "console"
BEA_PASSWORD = "bea-journey-pw"


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "admin", "fields"):
        out.update(json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8")))
    return out


def fmt(template: str, **values: Any) -> str:
    for k, v in values.items():
        template = template.replace("{" + k + "}", str(v))
    return template


def save(page: Page, t: dict[str, str], version: int) -> None:
    # wait for the save's own answer: the previous page's "saved as version 1" can still be on screen
    with page.expect_response(lambda r: r.request.method in ("PUT", "POST") and "/api/" in r.url, timeout=20_000):
        page.get_by_role("button", name=t["adm.save"], exact=True).click()
    expect(page.get_by_role("status").filter(has_text=fmt(t["adm.saved"], version=version))).to_be_visible()


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 900}),
                                                ("fa", {"width": 360, "height": 780})])
def test_admin_builds_a_queue_workflow_agent_and_user_and_a_contact_reaches_the_agent(
        lang: str, viewport: dict[str, int], browser: Any, tmp_path: Path) -> None:
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, centre.url, lang, "admin", ADMIN_PASSWORD)
            t = texts(lang)
            nav = page.get_by_role("navigation", name=t["nav.label"])
            nav.get_by_role("link", name=t["nav.admin_config"]).click()
            # a calendar open every day (its weekly hours are JSON inside the form)
            page.get_by_role("link", name=t["adm.kind.calendars"], exact=True).click()
            page.get_by_role("link", name=fmt(t["adm.new"], kind=t["adm.kind.calendars"])).click()
            page.get_by_label(t["adm.id"], exact=True).fill("all-week")
            page.get_by_label(t["field.timezone"], exact=True).fill("Europe/London")
            page.get_by_label(t["field.weekly"], exact=True).fill(json.dumps(
                {d: [{"start": "00:00", "end": "24:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}))
            save(page, t, 1)
            assert centre.admin.get("/api/config/calendars/all-week")["weekly"]["sun"] == [{"start": "00:00",
                                                                                            "end": "24:00"}]
            page.get_by_role("link", name=fmt(t["adm.back_to"], kind=t["adm.kind.calendars"])).click()
            page.get_by_role("link", name=t["nav.admin_config"], exact=True).last.click()
            page.get_by_role("link", name=t["adm.kind.queues"], exact=True).click()
            page.get_by_role("link", name=fmt(t["adm.new"], kind=t["adm.kind.queues"])).click()

            # a new queue; a negative wrap-up is refused by the server and shown at that field
            page.get_by_label(t["adm.id"], exact=True).fill("billing")
            page.get_by_label(t["field.name"], exact=True).fill("Billing")
            page.get_by_label(t["field.queues.calendar_id"], exact=True).select_option("all-week")
            # choices are in words, not the API's values (which are what is saved)
            closed = page.get_by_label(t["field.queues.closed_action"], exact=True)
            expect(closed.locator("option")).to_contain_text([t[f"choice.closed_action.{v}"]
                                                              for v in ("reject", "overflow", "queue")])
            closed.select_option(label=t["choice.closed_action.queue"])
            strategy = page.get_by_label(t["field.queues.strategy"], exact=True)
            strategy.select_option(label=t["choice.strategy.round_robin"])
            # each field labelled in the UI language, its raw name beside it and its help as its description
            wrap = page.get_by_label(t["field.queues.wrap_up_s"], exact=True)
            expect(page.locator(".field", has=wrap).locator(".adm-raw")).to_have_text("wrap_up_s")
            expect(page.locator(".adm-label").filter(has_text=t["field.queues.sl_target"])).to_contain_text("sl_target")
            expect(page.locator(f"[id='{wrap.get_attribute('aria-describedby')}']")).to_have_text(
                t["field.queues.wrap_up_s.help"])
            wrap.fill("-5")
            page.get_by_role("button", name=t["adm.save"], exact=True).click()
            expect(wrap).to_have_attribute("aria-invalid", "true")
            expect(wrap).to_be_focused()
            described = wrap.get_attribute("aria-describedby") or ""
            expect(page.locator(f"[id='{described.split()[0]}']")).to_contain_text("greater than or equal to 0")
            expect(page.get_by_role("alert")).to_contain_text("wrap_up_s")
            expect(page.get_by_role("alert")).to_contain_text(t["field.queues.wrap_up_s"])  # the label, translated
            assert described.split()[1:] == ["h-wrap_up_s"]  # the help stays beside the error message
            assert_accessible(page, what=f"queue editor with a field error ({lang})")
            shoot(page, f"admin-queue-error-{lang}-{viewport['width']}")
            wrap.fill("")
            save(page, t, 1)
            expect(page.get_by_role("heading", level=1)).to_contain_text("billing")
            saved = centre.admin.get("/api/config/queues/billing")
            assert (saved["calendar_id"], saved["closed_action"], saved["strategy"]) == (
                "all-week", "queue", "round_robin")

            # a second version, its diff, and a rollback to the first
            page.get_by_label(t["field.name"], exact=True).fill("Billing and payments")
            save(page, t, 2)
            history = page.get_by_role("table", name=fmt(t["adm.history_caption"], id="billing"))
            expect(history.locator("tbody tr")).to_have_count(2)
            diff = page.get_by_label(fmt(t["adm.diff_label"], **{"from": 1, "to": 2}))
            # the diff loads after the history (two fetches): a loaded CI machine needs more than 5 s
            expect(diff.locator(".d-del")).to_contain_text('"name": "Billing"', timeout=20_000)
            expect(diff.locator(".d-add")).to_contain_text('"name": "Billing and payments"', timeout=20_000)
            shoot(page, f"admin-queue-history-{lang}-{viewport['width']}")
            page.get_by_role("button", name=fmt(t["adm.rollback_to"], version=1)).click()
            expect(page.get_by_role("status").filter(has_text=fmt(t["adm.restored"], version=3))).to_be_visible()
            expect(history.locator("tbody tr")).to_have_count(3)
            expect(page.get_by_label(t["field.name"], exact=True)).to_have_value("Billing")
            assert centre.admin.get("/api/config/queues/billing")["name"] == "Billing"

            # a routing workflow sending email to the new queue, tried before it is saved
            page.goto(f"{centre.url}/console/#/admin/config/workflows/_new")
            page.get_by_label(t["adm.id"], exact=True).fill("email-billing")
            page.get_by_label(t["field.workflows.channels"], exact=True).fill("email")
            page.get_by_role("button", name=fmt(t["adm.add_item"], name=t["field.workflows.default"])).click()
            page.locator(".adm-form").get_by_label(t["field.queue"], exact=True).select_option("billing")
            page.locator(".adm-form").get_by_label(t["field.priority"], exact=True).fill("5")
            page.locator(".try").get_by_label(t["adm.try_channel"]).select_option("email")
            page.get_by_role("button", name=t["adm.try_run"], exact=True).click()
            expect(page.locator(".try [role=status]")).to_contain_text(
                fmt(t["adm.try_result"], queue="billing", priority=5, filter="default"))
            assert centre.admin.request("GET", "/api/config/workflows/email-billing").status_code == 404
            save(page, t, 1)
            assert_accessible(page, what=f"workflow editor ({lang})")
            no_horizontal_overflow(page)
            shoot(page, f"admin-workflow-{lang}-{viewport['width']}")

            # an agent in that queue
            page.goto(f"{centre.url}/console/#/admin/config/agents/_new")
            page.get_by_label(t["adm.id"], exact=True).fill("a2")
            page.get_by_label(t["field.name"], exact=True).fill("Bea")
            page.get_by_role("group", name=t["field.agents.queues"]).get_by_label("billing").check()
            save(page, t, 1)
            assert centre.admin.get("/api/config/agents/a2")["queues"] == ["billing"]

            # a user for the agent
            nav.get_by_role("link", name=t["nav.admin_users"]).click()
            form = page.get_by_role("form", name=t["adm.user_new"])
            form.get_by_label(t["adm.username"]).fill("bea")
            form.get_by_label(t["adm.user_password"]).fill(BEA_PASSWORD)
            form.get_by_label(t["adm.user_role"]).select_option("agent")
            form.get_by_label(t["adm.user_agent"]).select_option("a2")
            form.get_by_role("button", name=t["adm.user_create"]).click()
            users = page.get_by_role("table", name=t["adm.users_caption"])
            expect(users.get_by_role("row").filter(has_text="bea")).to_contain_text("a2")
            assert_accessible(page, what=f"users ({lang})")
            no_horizontal_overflow(page)
            shoot(page, f"admin-users-{lang}-{viewport['width']}")
            assert errors == [], errors
        finally:
            context.close()

        # the agent signs in; an email contact routes through the new workflow to the new queue and is offered
        bea = Client(centre.url, "bea", BEA_PASSWORD)
        socket = AgentSocket(centre.url, bea.token)
        try:
            bea.ok("POST", "/api/agent/login", {"status": "available"})
            made = centre.admin.ok("POST", "/api/contacts", {"channel": "email", "caller_id": "pat@example.org",
                                                             "subject": "My invoice"}, expect=201)
            offer = socket.event("ContactOffered", contact_id=made["contact_id"])
            assert offer["agent_id"] == "a2" and offer["queue_id"] == "billing"
        finally:
            socket.close()
            bea.close()


MENU = {"name": "Main menu", "start": "menu", "nodes": [
    {"id": "menu", "kind": "menu", "prompt": {"text": "For sales press 1, support 2."},
     "options": [{"key": "1", "next": "sales"}, {"key": "2", "next": "support"}], "on_failure": "sales"},
    {"id": "sales", "kind": "queue"}, {"id": "support", "kind": "queue"}]}


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 900}),
                                                ("fa", {"width": 360, "height": 780})])
def test_admin_edits_an_ivr_flow_as_json_tries_it_and_manages_a_user(
        lang: str, viewport: dict[str, int], browser: Any, tmp_path: Path) -> None:
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, centre.url, lang, "admin", ADMIN_PASSWORD)
            t = texts(lang)
            expect(page.get_by_role("navigation", name=t["nav.label"])).to_be_visible()
            # an IVR flow written as JSON: broken JSON is marked at the field; the draft is tried, then saved
            page.goto(f"{centre.url}/console/#/admin/config/ivr_flows/_new")
            page.get_by_label(t["adm.id"], exact=True).fill("main-menu")
            page.get_by_role("button", name=t["adm.tab_json"], exact=True).click()
            raw = page.get_by_role("textbox", name=t["adm.tab_json"], exact=True)
            raw.fill('{"name": ')
            expect(raw).to_have_attribute("aria-invalid", "true")
            raw.fill(json.dumps(MENU, indent=2))
            expect(raw).not_to_have_attribute("aria-invalid", "true")
            page.get_by_label(t["adm.try_keys"]).fill("2")
            page.get_by_role("button", name=t["adm.try_run"], exact=True).click()
            expect(page.locator(".try [role=status]")).to_contain_text("menu → support")
            save(page, t, 1)
            assert centre.admin.get("/api/config/ivr_flows/main-menu")["start"] == "menu"
            page.get_by_role("button", name=t["adm.tab_form"], exact=True).click()
            expect(page.get_by_label(t["field.ivr_flows.start"], exact=True)).to_have_value("menu")
            assert_accessible(page, what=f"IVR flow editor ({lang})")
            no_horizontal_overflow(page)
            shoot(page, f"admin-ivr-{lang}-{viewport['width']}")
            # deleted after a confirmation: back to the list, gone from the server
            page.get_by_role("button", name=t["adm.delete"], exact=True).click()
            page.get_by_role("group", name=fmt(t["adm.delete_confirm"], id="main-menu")).get_by_role(
                "button", name=t["adm.delete_yes"]).click()
            expect(page.get_by_role("table", name=fmt(t["adm.list_caption"], kind=t["adm.kind.ivr_flows"]))
                   ).to_be_visible()
            assert centre.admin.request("GET", "/api/config/ivr_flows/main-menu").status_code == 404

            # a new user may not silently replace an existing one
            page.goto(f"{centre.url}/console/#/admin/users")
            form = page.get_by_role("form", name=t["adm.user_new"])
            form.get_by_label(t["adm.username"]).fill("ann")
            form.get_by_label(t["adm.user_password"]).fill("replaced-password-1")
            form.get_by_role("button", name=t["adm.user_create"]).click()
            expect(page.get_by_role("alert")).to_have_text(fmt(t["adm.user_exists"], user="ann"))
            # the user ann: a new password, then disabled (cannot sign in), then enabled again
            users = page.get_by_role("table", name=t["adm.users_caption"])
            expect(users.get_by_role("row").filter(has_text="a1").locator("td").nth(2)).to_have_text(t["adm.yes"])
            users.get_by_role("button", name="ann", exact=True).click()
            edit = page.get_by_role("form", name=fmt(t["adm.user_edit"], user="ann"))
            edit.get_by_label(t["adm.user_new_password"]).fill("ann-new-password-1")
            edit.get_by_role("button", name=t["adm.save"], exact=True).click()
            expect(page.get_by_role("status").filter(has_text=fmt(t["adm.user_saved"], user="ann"))).to_be_visible()
            assert httpx.post(f"{centre.url}/api/auth/token", json={"username": "ann", "password": "ann-new-password-1"}
                              ).status_code == 200
            edit.get_by_role("button", name=t["adm.user_disable"], exact=True).click()
            active = users.get_by_role("row").filter(has_text="a1").locator("td").nth(2)  # role, agent, active
            expect(active).to_have_text(t["adm.no"])
            assert httpx.post(f"{centre.url}/api/auth/token", json={"username": "ann", "password": "ann-new-password-1"}
                              ).status_code == 401
            assert_accessible(page, what=f"users, one selected ({lang})")
            no_horizontal_overflow(page)
            edit.get_by_role("button", name=t["adm.user_enable"], exact=True).click()
            expect(active).to_have_text(t["adm.yes"])
            assert errors == [], errors
        finally:
            context.close()
