"""Quality management: scorecards, evaluations with acknowledgement and dispute, calibration, QA signals."""
