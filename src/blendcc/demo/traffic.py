"""Live demo traffic: a real client of the server. Customers arrive on the real channels, scripted agents answer.

Customers arrive as a Poisson process (``rate_per_min``), mostly voice with some chat, email and SMS, with
an IVR choice, a caller id from a pool (so customers call again) and sometimes a keyword; a waiting
customer hangs up after a random patience. Voice and chat come in over the API, email through the
server's SMTP listener and SMS through the signed Twilio-shaped webhook (when ``serve --demo`` turned
them on; else over the API). Agents log in, take offers from their WebSocket and work them (see
``agents.py``). Everything is seeded by ``seed``; server errors are logged, never fatal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import signal
from dataclasses import dataclass
from typing import Any

import httpx

from blendcc.demo.agents import ScriptedAgent
from blendcc.demo.caller import DemoCallers
from blendcc.demo.client import Api, Counters
from blendcc.demo.digital import DigitalEntry
from blendcc.demo.seed import DEMO_ADMIN_PASSWORD, desktop_agents, gold_numbers
from blendcc.domain.lifecycle.contact import UNANSWERED_VALUES

log = logging.getLogger("blendcc.demo")

VOICE_POOL = [f"+44 20 7946 {n:04d}" for n in range(200, 280)]
CHAT_POOL = [f"visitor-{n}" for n in range(1, 41)]
EMAIL_POOL = [f"{name}{n}@example.com" for n in range(1, 6)
              for name in ("amy", "raj", "li", "tom", "ines", "sara", "paul", "noah")]
CHAT_TEXTS = ("Hi, my broadband is down since this morning", "Can I upgrade my plan?",
              "I was charged twice this month", "The app shows an error when I pay",
              "What are your opening hours?", "I'd like to add a line for my son")
EMAIL_SUBJECTS = ("Invoice question", "Router broken again", "Upgrade offer", "Moving house",
                  "Error on my account page", "Cancel my contract")
SMS_POOL = [f"+447700900{n:03d}" for n in range(200, 240)]  # Ofcom's drama range: never real subscribers
SMS_TEXTS = ("Hi, is my engineer still coming today?", "What is my balance please",
             "My internet keeps dropping", "Can I change my payment date?", "Thanks, is the outage fixed?")
IVR_MENU = (("1", 40), ("2", 30), ("3", 30))


@dataclass(frozen=True)
class Arrival:
    body: dict[str, Any]
    patience_s: float | None  # None: never hangs up (email)


def new_arrival(rng: random.Random) -> Arrival:
    """A random contact as a channel would hand it over, and how long the customer waits."""
    channel = rng.choices(("voice", "chat", "email", "sms"), (65, 15, 10, 10))[0]
    if channel == "voice":
        gold = gold_numbers()
        caller = rng.choice(gold) if rng.random() < 0.06 else rng.choice(VOICE_POOL)
        body: dict[str, Any] = {"channel": "voice", "caller_id": caller, "dialled_number": "+44 800 046 0000",
                                "ivr": {"menu": rng.choices([m for m, _ in IVR_MENU], [w for _, w in IVR_MENU])[0]}}
        if rng.random() < 0.08:
            body["language"] = "fr"
        if rng.random() < 0.1:
            body["text"] = rng.choice(("my line is broken", "error tone on the line", "internet down"))
        return Arrival(body, rng.uniform(15.0, 120.0))
    if channel == "chat":
        return Arrival({"channel": "chat", "caller_id": rng.choice(CHAT_POOL), "text": rng.choice(CHAT_TEXTS),
                        "language": "en"}, rng.uniform(60.0, 300.0))
    if channel == "sms":
        return Arrival({"channel": "sms", "caller_id": rng.choice(SMS_POOL), "text": rng.choice(SMS_TEXTS)}, None)
    subject = rng.choice(EMAIL_SUBJECTS)
    return Arrival({"channel": "email", "caller_id": rng.choice(EMAIL_POOL), "subject": subject,
                    "text": f"Hello, about: {subject.lower()}. Thanks."}, None)


async def _customer(admin: Api, arrival: Arrival, counters: Counters, entry: DigitalEntry | None = None) -> None:
    body = arrival.body
    if entry is not None and body["channel"] == "email" and entry.smtp is not None:
        if await entry.email(body["caller_id"], body["subject"], body["text"]):
            counters.created += 1
            counters.emails += 1
        else:
            counters.create_failed += 1
        return
    if entry is not None and body["channel"] == "sms" and entry.sms_token is not None:
        if await entry.sms(admin.http, body["caller_id"], body["text"]):
            counters.created += 1
            counters.sms += 1
        else:
            counters.create_failed += 1
        return
    r = await admin.call("POST", "/api/contacts", arrival.body)
    if r is None or r.status_code != 201:
        counters.create_failed += 1
        return
    counters.created += 1
    if arrival.patience_s is None:
        return
    contact_id = r.json()["contact_id"]
    await asyncio.sleep(arrival.patience_s)
    row = await admin.ok("GET", f"/api/contacts/{contact_id}")
    waiting = isinstance(row, dict) and row.get("state") in UNANSWERED_VALUES and row.get("connected_at") is None
    if waiting and await admin.ok("POST", f"/api/contacts/{contact_id}/hangup") is not None:
        counters.abandoned += 1


async def _arrivals(admin: Api, rng: random.Random, rate_per_min: float, counters: Counters,
                    entry: DigitalEntry | None = None) -> None:
    customers: set[asyncio.Task[None]] = set()
    try:
        while True:
            await asyncio.sleep(rng.expovariate(rate_per_min / 60.0))
            task = asyncio.create_task(_customer(admin, new_arrival(rng), counters, entry))
            customers.add(task)
            task.add_done_callback(customers.discard)
    finally:
        for task in customers:
            task.cancel()


async def _report(counters: Counters, every_s: float = 30.0) -> None:
    while True:
        await asyncio.sleep(every_s)
        log.info("demo traffic: %s", counters.line())


async def _discover(admin: Api, stop: asyncio.Event) -> tuple[list[str], list[str]] | None:
    """Agent usernames (password = username in the demo centre) and the voice queues to transfer to."""
    delay = 0.5
    while not stop.is_set():
        users = await admin.ok("GET", "/api/users")
        queues = await admin.ok("GET", "/api/config/queues")
        if admin.refused:
            log.error("demo: cannot log in as 'admin' at %s; set BLENDCC_ADMIN_PASSWORD to its password",
                      admin.http.base_url)
            return None
        if isinstance(users, list) and isinstance(queues, list):
            people = set(desktop_agents())  # left to a person at /desktop
            agents = sorted(u["username"] for u in users if u["role"] == "agent"
                            and u["agent_id"] == u["username"] and u["username"] not in people)
            return agents, [q["id"] for q in queues if q["id"] not in ("chat-support", "vip")]
        log.info("demo: waiting for the server at %s", admin.http.base_url)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, 5.0)
    return None


async def demo_main(url: str, rate_per_min: float, duration_s: float, seed: int,
                    admin_password: str | None = None, smtp_port: int | None = None,
                    sms_token: str | None = None, sip_port: int | None = None) -> Counters:
    """Run the demo until ``duration_s`` passes (0: until SIGINT/SIGTERM); return what it did."""
    counters = Counters()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    rng = random.Random(seed)
    password = admin_password or os.environ.get("BLENDCC_ADMIN_PASSWORD") or DEMO_ADMIN_PASSWORD
    base = url.rstrip("/")
    ws_base = "ws" + base[len("http"):] if base.startswith("http") else base
    host = httpx.URL(base).host or "127.0.0.1"
    entry = DigitalEntry(base, (host, smtp_port) if smtp_port else None, sms_token)
    async with httpx.AsyncClient(base_url=base, timeout=10.0) as http:
        admin = Api(http, "admin", password, counters)
        found = await _discover(admin, stop)
        if found is None:
            return counters
        agent_ids, transfer_queues = found
        agents = [ScriptedAgent(Api(http, a, a, counters), ws_base, random.Random(f"{seed}:{a}"), counters,
                                transfer_queues) for a in agent_ids]
        log.info("demo: %d scripted agents, %.1f contacts/min against %s", len(agents), rate_per_min, base)
        tasks = [asyncio.create_task(a.run()) for a in agents]
        tasks.append(asyncio.create_task(_arrivals(admin, rng, rate_per_min, counters, entry)))
        tasks.append(asyncio.create_task(_report(counters)))
        if sip_port is not None:  # real phone calls to the desk line, for the desktop's browser phone
            callers = DemoCallers((host if host != "localhost" else "127.0.0.1", sip_port), counters,
                                  random.Random(f"{seed}:sip"))
            tasks.append(asyncio.create_task(callers.run()))
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), duration_s or None)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*(a.shutdown() for a in agents), return_exceptions=True), 5.0)
            log.info("demo traffic stopped: %s", counters.line())
    return counters


def run_demo(url: str, rate_per_min: float = 30.0, duration_s: float = 0.0, seed: int = 1,
             smtp_port: int | None = None, sms_token: str | None = None, sip_port: int | None = None) -> Counters:
    """Blocking entry point of ``blendcc demo``."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns the demo's own log
    return asyncio.run(demo_main(url, rate_per_min, duration_s, seed, smtp_port=smtp_port, sms_token=sms_token,
                                 sip_port=sip_port))
