"""Pure domain model: ids, value objects, interactions, agents, queues, customers, events, errors."""
