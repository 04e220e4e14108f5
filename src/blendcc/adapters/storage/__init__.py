"""SQL storage adapter: SQLAlchemy tables, the event store with its projections, repositories, migrations."""
