"""CRM lookups for the screen pop."""
