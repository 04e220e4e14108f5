"""Message templates of the communication plan: ``string.Template`` text whose placeholders are the live
figures (checked when the playbook is saved) and their rendering."""

from __future__ import annotations

from collections.abc import Mapping
from string import Template
from typing import Any

#: every placeholder a template may use
FIELDS: dict[str, str] = {
    "playbook": "the playbook's name (its id when unnamed)",
    "crisis": "the crisis id",
    "status": "started, ongoing or ended",
    "started": "when the crisis started (ISO 8601, UTC)",
    "now": "the time of the message (ISO 8601, UTC)",
    "minutes": "whole minutes since the crisis started",
    "triggers": "the triggers that fired, comma-separated",
    "service_level": "the centre's service level today, in %",
    "abandon_rate": "the centre's abandon rate today, in %",
    "waiting": "contacts waiting now in the centre",
    "longest_wait_s": "the centre's longest wait now, in seconds",
    "offered": "contacts offered today in the centre",
    "ack_url": "the link that acknowledges the crisis",
}


def check_template(text: str, where: str) -> None:
    """Raise ValueError naming the first bad placeholder (unknown, or a lone ``$``: write ``$$``)."""
    t = Template(text)
    if not t.is_valid():
        raise ValueError(f"{where}: a '$' must start a placeholder such as $waiting (write $$ for a dollar sign)")
    unknown = sorted(set(t.get_identifiers()) - set(FIELDS))
    if unknown:
        raise ValueError(f"{where}: unknown placeholder ${unknown[0]}; use one of "
                         + ", ".join("$" + k for k in FIELDS))


def _show(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.1f}" if not value.is_integer() else str(int(value))
    return str(value)


def render(text: str, values: Mapping[str, Any]) -> str:
    """The template with the figures filled in (a figure not known yet reads ``n/a``)."""
    return Template(text).safe_substitute({k: _show(values.get(k)) for k in FIELDS})
