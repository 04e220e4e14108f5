"""Interaction analytics: message sentiment, contact reasons (dispositions and topics) and their Pareto."""
