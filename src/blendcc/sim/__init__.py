"""Simulator: a discrete-event kernel with a virtual clock that drives the real routing engine.

``scenario`` (YAML documents) -> ``centre.SimCentre`` (customers and agents on ``kernel.Kernel``, the
engine's own commands and timers) -> ``collect.Collector`` (the live KPI projections) ->
``run.simulate`` (replications on all cores) -> ``report.SimReport`` (means and 95% CIs).
See docs/simulator.md.
"""
