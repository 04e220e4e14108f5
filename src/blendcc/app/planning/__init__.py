"""Planning use cases: forecasting, published schedules and adherence."""
