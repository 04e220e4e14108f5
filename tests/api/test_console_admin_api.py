"""What the console's WFM and admin pages need from the API: list-import errors with their column, the channels
as the settings configure them (admin only, no secrets), a queue forecast with its recent history; bad input 4xx."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.api.routes_channels import channel_list
from blendcc.config import EmailImap, EmailMailbox, MessagingInstance, Settings, TelegramSettings, TwilioSettings
from blendcc.dialer.records import error_column

from .test_dialer_api import put_campaign
from .test_forecast_api import HOURLY, seed_history


@pytest.mark.parametrize(("reason", "column"), [
    ("missing phone number", "phone"), ("not a valid number: '12345' (region US)", "phone"),
    ("duplicate phone number +12125550101 (first on line 2)", "phone"),
    ("+12125550105 is already in the campaign as record 'r5'", "phone"),
    ("duplicate record id 'r1' (first on line 2)", "record_id"), ("unknown time zone 'Mars/Base'", "tz"),
    ("unknown region 'XX'", "region"), ("column 'notes' longer than 1000 characters", "notes"),
    ("3 columns, the header has 4", None),
])
def test_each_row_error_names_its_column(reason: str, column: str | None) -> None:
    assert error_column(reason) == column


def test_a_list_with_a_bad_row_imports_the_good_rows_and_reports_line_column_and_reason(centre: Any) -> None:
    put_campaign(centre)
    got = centre.post("/api/campaigns/renew/lists", "admin",
                      files={"file": ("jan.csv", b"phone,name,tz\n+12125550101,Ann,\nnot-a-number,Bob,\n"
                                                 b"+12125550103,Cy,Mars/Base\n")})
    assert (got["total"], got["accepted"], got["rejected"]) == (3, 1, 2)
    assert [(e["line"], e["column"]) for e in got["errors"]] == [(3, "phone"), (4, "tz")]
    assert "Mars/Base" in got["errors"][1]["reason"]
    # the stored report says the same
    (stored,) = centre.get("/api/campaigns/renew/lists", "sup")
    assert stored["errors"] == got["errors"]
    assert "phone column" in centre.error("POST", "/api/campaigns/renew/lists", 422,
                                          files={"file": ("x.csv", b"name\nAnn\n")})["detail"]
    centre.error("POST", "/api/campaigns/renew/lists", 422, files={"other": ("x.csv", b"phone\n1\n")})


def test_channels_list_the_settings_without_secrets() -> None:
    s = Settings(email_mailboxes={"support": EmailMailbox(
                     address="help@example.com", imap=EmailImap(host="imap.example.com", username="u", password="pw"))},
                 twilio=TwilioSettings(account_sid="AC1", auth_token="tok",
                                       numbers={"uk": MessagingInstance(id="+442079460000", workflow="sms")}),
                 telegram=TelegramSettings(bots={"bot": MessagingInstance(id="123:SECRET")},
                                           secret_tokens={"bot": "hook-key"}))
    rows = {(r["kind"], r["name"]): r for r in channel_list(s)}
    assert set(rows) == {("email", "support"), ("sms", "uk"), ("telegram", "bot"), ("webchat", "default")}
    assert rows[("email", "support")]["detail"]["imap"] == "imap.example.com"
    assert rows[("sms", "uk")]["address"] == "+442079460000" and rows[("sms", "uk")]["workflow"] == "sms"
    assert rows[("telegram", "bot")]["address"] is None  # the bot id is its token
    text = repr(rows)
    assert "SECRET" not in text and "hook-key" not in text and "tok" not in text and "'pw'" not in text


def test_channels_route_is_for_admins(shared_centre: Any) -> None:
    got = shared_centre.get("/api/channels", "admin")
    assert got["settings"]["webchat"] == "BLENDCC_WEBCHAT"
    assert ("webchat", "default") in {(c["kind"], c["name"]) for c in got["channels"]}
    shared_centre.error("GET", "/api/channels", 403, "sup")
    shared_centre.error("GET", "/api/channels", 401, None)


def test_queue_forecast_returns_its_recent_history_on_request(centre: Any) -> None:
    seed_history(centre, 35)
    base = "/api/wfm/forecast/queues/sales?interval=60&horizon=7d&history_days=35&origins=1"
    assert centre.get(base, "sup")["history"] is None
    got = centre.get(f"{base}&history_shown_days=7", "sup")
    history = got["history"]
    assert len(history) == 7 * 24
    assert history[0]["interval_start"] == "2024-01-08T00:00:00+00:00"  # today (Monday 15th) is not history
    by_time = {r["interval_start"]: r for r in history}
    assert by_time["2024-01-08T10:00:00+00:00"]["volume"] == HOURLY[10]
    assert by_time["2024-01-08T10:00:00+00:00"]["aht_s"] == 200.0
    assert by_time["2024-01-08T03:00:00+00:00"]["aht_s"] is None  # no contacts: no handle time
    centre.error("GET", f"{base}&history_shown_days=100", 422, "sup")
    centre.error("GET", f"{base}&history_shown_days=-1", 422, "sup")
