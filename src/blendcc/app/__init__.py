"""Use cases: load -> domain -> save -> publish, one module per area."""
