"""Channel use cases: voice and messaging."""
