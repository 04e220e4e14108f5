"""Workforce management: Erlang staffing maths, forecasting, staffing plans, schedules and adherence."""
