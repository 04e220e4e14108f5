"""Gaps in the history (missing days and intervals, partial days) and their policies, calendars, volume only, AHT."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from blendcc.domain.errors import ValidationFailed
from blendcc.wfm.aht import backtest_aht
from blendcc.wfm.forecast import forecast_series
from blendcc.wfm.gaps import country_holidays, detect_gaps
from blendcc.wfm.models import BASELINE
from blendcc.wfm.series import Series, long_from_frame, to_series

from .forecast_data import MONDAY, volumes

FAST = [BASELINE, "daily_ets_profile"]


def _counts_frame(v: np.ndarray, drop: list[tuple[int, int]] | None = None, aht: float | None = None) -> pd.DataFrame:
    """An interval-count file (30 min) of ``v`` from MONDAY, without the rows (day, slot) in ``drop``."""
    skip = set(drop or [])
    rows = [{"interval_start": f"{MONDAY + timedelta(days=d)}T{s // 2:02d}:{30 * (s % 2):02d}", "calls": v[d, s],
             **({"aht_s": aht} if aht is not None else {})}
            for d in range(v.shape[0]) for s in range(v.shape[1]) if (d, s) not in skip]
    return pd.DataFrame(rows)


def _series(frame: pd.DataFrame) -> Series:
    (s,) = to_series(long_from_frame(frame, tz="UTC"), 30)
    return s


def test_missing_days_partial_days_and_missing_intervals_are_told_apart() -> None:
    v = volumes(42, noise_seed=2)
    drop = [(15, s) for s in range(48)]  # a whole Tuesday missing
    drop += [(22, s) for s in range(28, 48)]  # a Tuesday whose export stops at 14:00
    drop += [(30, 20), (30, 21)]  # two intervals lost in the middle of a Wednesday
    s = _series(_counts_frame(v, drop))
    assert s.present is not None and s.volume[15].sum() == 0
    gaps = detect_gaps(s)
    assert gaps.missing_days == [15]
    assert gaps.partial_days == [22]
    assert gaps.missing_intervals == {30: [20, 21]}
    assert gaps.closed_weekdays == []
    text = "\n".join(gaps.describe(s))
    assert "1 missing days: 2024-01-16" in text and "partial days: 2024-01-23" in text and "2 missing intervals" in text


def test_a_weekday_never_in_the_file_is_closed_not_missing() -> None:
    v = volumes(42, noise_seed=2)
    weekend = [(d, s) for d in range(42) if d % 7 >= 5 for s in range(48)]  # a weekdays-only export
    gaps = detect_gaps(_series(_counts_frame(v, weekend + [(8, s) for s in range(48)])))
    assert gaps.closed_weekdays == [5, 6] and gaps.missing_days == [8]


def test_per_contact_histories_find_missing_days_by_their_weekday() -> None:
    v = volumes(42, noise_seed=2)
    v[21] = 0.0  # a Monday without a single contact
    gaps = detect_gaps(Series("q", "voice", MONDAY, 30, v))  # no row information
    assert gaps.missing_days == [21] and not gaps.partial_days


@pytest.mark.parametrize(("policy", "monday_ratio"), [("holiday", 1.0), ("interpolate", 1.0), ("zero", 0.75)])
def test_gap_policies(policy: str, monday_ratio: float) -> None:
    """The 4-week baseline for the Monday after a missing Monday: zero drags it a quarter down."""
    v = volumes(42)
    s = _series(_counts_frame(v, [(35, k) for k in range(48)]))
    f = forecast_series(s, 1, model=BASELINE, run_backtest=False, gaps=policy)
    assert f.volume[0].sum() == pytest.approx(monday_ratio * v[0].sum())
    assert (s.day(35) in f.excluded) == (policy == "holiday")
    assert any("missing days: 2024-02-05" in n for n in f.notes)
    with pytest.raises(ValidationFailed, match="gaps"):
        forecast_series(s, 1, run_backtest=False, gaps="guess")


def test_interpolation_fills_only_the_missing_intervals() -> None:
    v = volumes(42) * np.linspace(1.0, 1.5, 42)[:, None]  # a trend across the weeks
    s = _series(_counts_frame(v, [(21, k) for k in range(20, 24)]))
    f = forecast_series(s, 1, model=BASELINE, run_backtest=False, gaps="interpolate")
    # the Monday 2024-01-22 slots 20-23 lie half way between the Mondays a week before and after
    from blendcc.wfm.prepare import prepare

    prep = prepare(s, 1, gaps="interpolate")
    assert prep.clean[21, 20:24] == pytest.approx((v[14, 20:24] + v[28, 20:24]) / 2)
    assert prep.clean[21, 24:] == pytest.approx(v[21, 24:]) and prep.unscored[21] and not prep.excluded[21]
    assert f.volume.shape == (1, 48)


def test_country_holidays_are_excluded_and_their_ratio_is_learnt_for_the_horizon() -> None:
    start = date(2024, 4, 1)  # Easter Monday (FR) is 2024-04-01; the next Easter Monday is 2025-04-21
    days = (date(2025, 4, 21) - start).days  # the history ends the day before it
    v = volumes(days)
    cal = country_holidays("FR", start, start + timedelta(days=days))
    held = [(d - start).days for d in cal if (d - start).days < days]
    v[held] *= 0.2  # the centre gets a fifth of its calls on public holidays
    s = Series("q", "voice", start, 30, v)
    f = forecast_series(s, 1, model=BASELINE, run_backtest=False, country="FR", exclude_anomalies=False)
    assert date(2025, 4, 21) in f.special and "0.20" in f.special[date(2025, 4, 21)]
    assert f.volume[0].sum() == pytest.approx(0.2 * 1000.0, rel=1e-6)
    assert set(f.excluded) == {d for d in cal if d < date(2025, 4, 21)}
    with pytest.raises(ValidationFailed, match="country"):
        country_holidays("XX", start, start)


def test_aht_profiles_are_backtested_and_the_weekday_one_wins_when_weekdays_differ() -> None:
    v = volumes(84)
    aht = np.where(np.arange(84) % 7 < 5, 200.0, 400.0)[:, None] * np.ones((1, 48))  # weekends are slower
    bt = backtest_aht(v * aht, v, 0, 7, [56, 63, 70], np.zeros(84, dtype=bool))
    assert bt.scores["aht_weekday_4w"] == pytest.approx(0.0)
    assert bt.scores["aht_interval_4w"] is not None and bt.scores["aht_interval_4w"] > 0.1
    assert bt.chosen == "aht_weekday_4w"


# ---------------------------------------------------------------------- volume only, the CLI

def test_a_counts_only_file_forecasts_volume_and_staffing_asks_for_an_aht(tmp_path: Path) -> None:
    from blendcc.cli import app

    src, out_csv, plan = tmp_path / "counts.csv", tmp_path / "f.csv", tmp_path / "plan.csv"
    _counts_frame(volumes(49, noise_seed=1)).to_csv(src, index=False)
    runner = CliRunner()
    r = runner.invoke(app, ["forecast", str(src), "--horizon", "2d", "--models", ",".join(FAST), "--origins", "3",
                            "--tz", "UTC", "--out", str(out_csv)])
    assert r.exit_code == 0, r.output
    text = r.output.replace("\n", " ")
    assert "volume only" in text and "backtest default/voice: 3 origins on Mondays" in text
    with out_csv.open() as fh:
        got = list(csv.DictReader(fh))
    assert len(got) == 96 and all(row["aht_s"] == "" for row in got) and sum(float(x["volume"]) for x in got) > 1000
    r = runner.invoke(app, ["staff", str(out_csv), "--out", str(plan)])
    assert r.exit_code == 2 and "volume-only" in r.output and "--aht" in r.output
    assert not plan.exists()
    r = runner.invoke(app, ["staff", str(out_csv), "--out", str(plan), "--aht", "180"])
    assert r.exit_code == 0, r.output


def test_cli_reports_gaps_and_refuses_a_bad_policy_or_country(tmp_path: Path) -> None:
    from blendcc.cli import app

    src = tmp_path / "counts.csv"
    _counts_frame(volumes(49, noise_seed=1), [(15, s) for s in range(48)], aht=150).to_csv(src, index=False)
    runner = CliRunner()
    r = runner.invoke(app, ["forecast", str(src), "--horizon", "1d", "--models", BASELINE, "--origins", "2",
                            "--tz", "UTC", "--gaps", "interpolate", "--out", str(tmp_path / "f.csv")])
    assert r.exit_code == 0, r.output
    assert "gaps treated as interpolate: 1 missing days: 2024-01-16" in r.output.replace("\n", " ")
    assert "AHT backtest" in r.output
    for args, words in ((["--gaps", "guess"], "gaps"), (["--country", "XX"], "country"),
                        (["--anomalies", "maybe"], "--anomalies"), (["--choice", "all"], "--choice")):
        r = runner.invoke(app, ["forecast", str(src), "--out", str(tmp_path / "f.csv"), *args])
        assert r.exit_code == 2 and words in r.output and "Traceback" not in r.output, r.output
