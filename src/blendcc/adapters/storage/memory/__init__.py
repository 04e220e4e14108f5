"""In-memory storage adapters (the simulator's and the tests' store and repositories)."""
