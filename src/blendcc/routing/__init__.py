"""Pure routing: workflows, expressions, agent-selection strategies, matcher and the ACD engine."""
