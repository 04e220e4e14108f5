"""Seeds the demo centre (skills, calendar, queues, workflow, agents, users, gold customers) once."""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from blendcc.domain.customer import IdentityKind, normalise_identity

if TYPE_CHECKING:
    from blendcc.app.container import Container

log = logging.getLogger(__name__)

#: Password of the 'admin' user created by ``blendcc serve --demo`` (unless BLENDCC_ADMIN_PASSWORD is set).
DEMO_ADMIN_PASSWORD = "admin"

#: Configuration kinds in dependency order (a document only refers to kinds put before it).
ORDER = ("skills", "teams", "calendars", "queues", "agents", "workflows")


@cache
def centre() -> dict[str, Any]:
    """The demo centre definition (``centre.yaml`` shipped in this package)."""
    text = resources.files("blendcc.demo").joinpath("centre.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def agent_documents() -> list[dict[str, Any]]:
    """Agent documents with the default capacity filled in."""
    data = centre()
    default = data["default_capacity"]
    return [{"capacity": default, **a} for a in data["agents"]]


def gold_numbers() -> list[str]:
    """Phone numbers of the seeded gold customers (the traffic client calls from them sometimes)."""
    return [c["phone"] for c in centre()["customers"]]


def seed_demo(container: Container) -> bool:
    """Create the demo centre through the configuration service; a no-op if any queue exists.

    Returns True if the centre was created.
    """
    if container.config.list("queues"):
        log.info("demo: queues already configured, seeding skipped")
        return False
    data = centre()
    for kind in ORDER:
        docs = agent_documents() if kind == "agents" else data[kind]
        for body in docs:
            container.config.put(kind, body["id"], body, by="demo")
    sup = data["users"]["supervisor"]
    # the demo's well-known passwords (password = username) break the password policy on purpose
    log.warning("demo: users have well-known passwords (password = username); never expose a demo server")
    container.auth.set_user(sup["username"], sup["password"], "supervisor", None, actor="demo", enforce_policy=False)
    for agent in data["agents"]:
        container.auth.set_user(agent["id"], agent["id"], "agent", agent["id"], actor="demo", enforce_policy=False)
    _seed_customers(container, data["customers"])
    _seed_campaigns(container, data.get("campaigns", []))
    log.info("demo: seeded %d queues, %d agents", len(data["queues"]), len(data["agents"]))
    return True


def _seed_customers(container: Container, customers: list[dict[str, Any]]) -> None:
    repo = container.contacts.customers
    now = container.clock.now()
    for c in customers:
        phone = normalise_identity(IdentityKind.PHONE, c["phone"])
        if repo.find_by_identity(IdentityKind.PHONE.value, phone) is None:
            repo.create(c["id"], [(IdentityKind.PHONE.value, phone)], c["tier"], c["name"], {}, now)


def desktop_agents() -> list[str]:
    """Agents the demo traffic leaves alone: a person signs in as one of them at /desktop."""
    return list(centre().get("desktop_agents", []))


def _seed_campaigns(container: Container, campaigns: list[dict[str, Any]]) -> None:
    """The demo's preview campaign with its calling list, started (needs a dialer: the demo's simulated
    telephony)."""
    if container.campaigns is None:
        log.info("demo: no dialer in this deployment, campaigns not seeded")
        return
    for doc in campaigns:
        body = {k: v for k, v in doc.items() if k != "list"}
        container.campaigns.put(body["id"], body, "demo")
        if doc.get("list"):
            container.campaigns.import_list(body["id"], doc["list"], "demo")
        container.campaigns.start(body["id"], "demo")
