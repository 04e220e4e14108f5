"""The quality-management use cases the API is handed: scorecards, evaluations and calibration, signals."""

from __future__ import annotations

from dataclasses import dataclass

from blendcc.app.quality.evaluations import QualityService
from blendcc.app.quality.scorecards import ScorecardService
from blendcc.app.quality.signals import QaSignals


@dataclass(frozen=True, slots=True)
class Quality:
    scorecards: ScorecardService
    evaluations: QualityService
    signals: QaSignals
