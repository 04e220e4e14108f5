"""History replay over the API: a bank log in the request body, simulated vs actual per day out; refusals."""

from __future__ import annotations

from typing import Any

from blendcc.adapters.importers.bank1999 import read_bank1999
from blendcc.sim.history import replay


def _two_days(path: Any) -> str:
    lines = path.read_text().splitlines()
    return "\n".join([lines[0], *[ln for ln in lines[1:] if "\t990104\t" in ln or "\t990105\t" in ln]])


def test_api_replays_a_posted_log_like_the_cli(shared_centre: Any, bank_1999: Any) -> None:
    text = _two_days(bank_1999("january.txt"))
    answer = shared_centre.post("/api/sim/replay/bank1999?replications=2&seed=3&days=1999-01-04", "sup",
                                content=text, headers={"content-type": "text/plain"})
    assert [d["day"] for d in answer["days"]] == ["1999-01-04"] and answer["total"]["day"] == "total"
    assert answer["bad_lines"] == [] and answer["replications"] == 2
    # the same computation as the CLI's: same records, same seed -> the same figures
    from datetime import date

    records = [r for r in read_bank1999(bank_1999("january.txt")).records if r.day.isoformat() in
               ("1999-01-04", "1999-01-05")]
    direct = replay(records, [date(1999, 1, 4)], replications=2, seed=3, workers=1)
    assert answer["days"][0]["actual"] == direct.days[0].actual
    assert answer["days"][0]["simulated"]["abandon_rate"] == direct.days[0].simulated["abandon_rate"]


def test_api_replay_refuses_bad_requests(shared_centre: Any) -> None:
    def refuse(query: str, body: bytes, status: int = 422, user: str | None = "sup") -> str:
        answer = shared_centre.error("POST", f"/api/sim/replay/bank1999{query}", status, user=user, content=body,
                                     headers={"content-type": "text/plain"})
        return str(answer["detail"])

    assert "no call records" in refuse("", b"not a call log\n")
    assert "UTF-8" in refuse("", b"\xff\xfe\x00")
    assert "between 1 and 10" in refuse("?replications=50", b"x")
    assert "staffing" in refuse("?staffing=guess", b"x")
    refuse("", b"x", status=401, user=None)
    refuse("", b"x", status=403, user="ann")
