"""KPI projections and reports (definitions in shared KPIS.md), pure functions over events."""
