"""Scripted demo agents: log in over HTTP, take offers from /ws/agent, talk, hold, transfer, wrap up."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Coroutine, Sequence
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException
from websockets.typing import Subprotocol

from blendcc.demo.client import Api, Counters

log = logging.getLogger("blendcc.demo")

DISPOSITIONS = ("resolved", "follow_up", "sale", "complaint")
DISPOSITION_WEIGHTS = (60, 20, 12, 8)
NOTES = {
    "resolved": ("Explained the charges; customer satisfied.", "Reset the router remotely, service back.",
                 "Updated contact details as requested."),
    "follow_up": ("Awaiting engineer report, call back tomorrow.", "Sent a form by email; check next week."),
    "sale": ("Upgraded to the premium plan.", "Added a second line with 12-month discount."),
    "complaint": ("Unhappy with repeated outages; escalated to team lead.", "Billing dispute logged."),
}
#: Conversation length (seconds) per channel.
TALK_S = {"voice": (10.0, 60.0), "chat": (20.0, 90.0), "email": (15.0, 45.0), "sms": (15.0, 60.0),
          "social": (15.0, 60.0)}
#: Short human-like replies of a digital conversation: an opening, maybe a middle, a closing.
OPENINGS = ("Hi, thanks for getting in touch. Let me have a look at that for you.",
            "Hello! I'm checking your account now, one moment please.",
            "Thanks for your message. I can help with that.")
MIDDLES = ("I can see what happened: the charge was applied twice, and I've refunded one.",
           "I've run a line test and reset your connection from our side.",
           "Your request is done; you'll get a confirmation shortly.",
           "I've booked an engineer for tomorrow morning between 8 and 12.")
CLOSINGS = ("That should be sorted now. Anything else, just reply here.", "All done! Have a lovely day.",
            "You're all set. Thanks for your patience.")
#: Seconds to react to an offer, and to finish after-contact work (below every demo queue's wrap_up_s).
THINK_S = (1.0, 3.0)
WRAP_S = (1.0, 3.0)
P_RING_OUT, P_DECLINE, P_HOLD, P_TRANSFER = 0.03, 0.07, 0.2, 0.06


class ScriptedAgent:
    """One agent user driven by a seeded script; reconnects and resumes its contacts after errors."""

    def __init__(self, api: Api, ws_base: str, rng: random.Random, counters: Counters,
                 transfer_queues: Sequence[str]):
        self.api = api
        self.id = api.username
        self.ws_base = ws_base
        self.rng = rng
        self.counters = counters
        self.transfer_queues = list(transfer_queues)
        self.state = "offline"
        self.reason: str | None = None
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self._helpers: set[asyncio.Task[None]] = set()
        self.on_break = False

    # ------------------------------------------------------------------ session

    async def run(self) -> None:
        """Keep a session open until cancelled: login, agent stream, breaks."""
        backoff = 1.0
        while True:
            try:
                if await self._session():
                    backoff = 1.0
            except (TimeoutError, OSError, WebSocketException) as exc:
                log.info("%s: stream lost (%s); reconnecting", self.id, exc or type(exc).__name__)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.counters.errors += 1
                log.exception("%s: unexpected error; reconnecting", self.id)
            if self.api.refused:
                log.error("%s: login refused (the demo expects password = username); not scripting it", self.id)
                return
            await asyncio.sleep(backoff + self.rng.random())
            backoff = min(backoff * 2, 10.0)

    async def _session(self) -> bool:
        if not await self.api.login():
            return False
        r = await self.api.call("POST", "/api/agent/login", {"status": "available"})
        if r is None or not (r.is_success or r.status_code == 409):  # 409: still logged in from before
            return False
        url = f"{self.ws_base}/ws/agent"
        # the token travels as a subprotocol, never in the URL (docs/security.md, "WebSockets")
        protocols = [Subprotocol("blendcc.v1"), Subprotocol(f"bearer.{self.api.token}")]
        breaks = asyncio.create_task(self._breaks())
        try:
            async with connect(url, subprotocols=protocols, open_timeout=10, ping_interval=20) as ws:
                async for raw in ws:
                    self._on_message(json.loads(raw))
        finally:
            breaks.cancel()
        return True

    def _on_message(self, msg: dict[str, Any]) -> None:
        stream = msg.get("stream")
        if stream == "snapshot":
            view = msg["agent"]
            self._set_state(view["state"], view.get("reason"))
            for w in view["work"]:
                if w["contact_id"] not in self.tasks:
                    self.counters.offers += w["stage"] == "reserved"
                    self._spawn(w["contact_id"], w["stage"], w["channel"], w["queue_id"])
            if view["presence"] == "aux" and view.get("reason") == "break" and not self.on_break:
                self._helper(self._available_after(0.5))
        elif stream == "offer":
            self.counters.offers += 1
            self._spawn(msg["contact_id"], "reserved", msg["channel"], msg["queue_id"])
        elif msg.get("type") == "AgentStateChanged" and msg.get("agent_id") == self.id:
            self._set_state(msg["state"], msg.get("reason"))

    def _set_state(self, state: str, reason: str | None) -> None:
        self.state, self.reason = state, reason
        if state == "aux" and reason == "missed":
            self._helper(self._available_after(self.rng.uniform(2.0, 5.0)))

    def _helper(self, coro: Coroutine[Any, Any, None]) -> None:
        t = asyncio.create_task(coro)
        self._helpers.add(t)
        t.add_done_callback(self._helpers.discard)

    async def _available_after(self, delay: float) -> None:
        await asyncio.sleep(delay)
        await self.api.call("POST", "/api/agent/status", {"status": "available"})

    async def _breaks(self) -> None:
        """Now and then, when idle, a short break."""
        while True:
            await asyncio.sleep(self.rng.uniform(90.0, 240.0))
            if self.tasks or self.state != "available":
                continue
            if await self.api.ok("POST", "/api/agent/status", {"status": "aux", "reason": "break"}) is None:
                continue
            self.counters.breaks += 1
            self.on_break = True
            try:
                await asyncio.sleep(self.rng.uniform(10.0, 30.0))
            finally:
                self.on_break = False
            await self.api.call("POST", "/api/agent/status", {"status": "available"})

    # ------------------------------------------------------------------ one contact

    def _spawn(self, contact_id: str, stage: str, channel: str, queue_id: str) -> None:
        task = asyncio.create_task(self._work(contact_id, stage, channel, queue_id))
        self.tasks[contact_id] = task

        def done(t: asyncio.Task[None]) -> None:
            if self.tasks.get(contact_id) is t:
                del self.tasks[contact_id]
            if not t.cancelled() and t.exception() is not None:
                self.counters.errors += 1
                log.error("%s: contact %s failed: %r", self.id, contact_id, t.exception())

        task.add_done_callback(done)

    async def _act(self, contact_id: str, action: str, body: dict[str, Any] | None = None) -> bool:
        path = f"/api/agent/contacts/{contact_id}/{action}"
        return await self.api.ok("POST", path, body) is not None

    async def _work(self, contact_id: str, stage: str, channel: str, queue_id: str) -> None:
        rng = self.rng
        if stage == "reserved":
            await asyncio.sleep(rng.uniform(*THINK_S))
            roll = rng.random()
            if roll < P_RING_OUT:
                self.counters.rang_out += 1  # the offer times out; the server sets aux 'missed'
                return
            if roll < P_RING_OUT + P_DECLINE:
                if await self._act(contact_id, "decline"):
                    self.counters.declined += 1
                return
            if not await self._act(contact_id, "accept"):
                return  # the customer left or the offer was revoked meanwhile
            self.counters.accepted += 1
            stage = "busy"
        disposition: str | None = None
        note: str | None = None
        if stage in ("busy", "held"):
            disposition, note = await self._converse(contact_id, stage, channel, queue_id)
        await asyncio.sleep(rng.uniform(*WRAP_S))
        if disposition is None:
            disposition = rng.choices(DISPOSITIONS, DISPOSITION_WEIGHTS)[0]
            note = rng.choice(NOTES[disposition])
        if await self._act(contact_id, "wrapup", {"disposition": disposition, "notes": note}):
            self.counters.wrapped += 1

    async def _converse(self, contact_id: str, stage: str, channel: str,
                        queue_id: str) -> tuple[str | None, str | None]:
        """Talk (maybe with a hold), then end or transfer; returns a disposition for transfers."""
        rng = self.rng
        low, high = TALK_S.get(channel, TALK_S["voice"])
        talk = rng.uniform(low, high)
        if stage == "held":
            await self._act(contact_id, "resume")
        if channel == "voice" and rng.random() < P_HOLD:
            await asyncio.sleep(talk * 0.4)
            if await self._act(contact_id, "hold"):
                self.counters.holds += 1
                await asyncio.sleep(rng.uniform(3.0, 8.0))
                await self._act(contact_id, "resume")
            await asyncio.sleep(talk * 0.6)
        elif channel != "voice":
            await self._reply(contact_id, talk)
        else:
            await asyncio.sleep(talk)
        targets = [q for q in self.transfer_queues if q != queue_id]
        if channel == "voice" and targets and rng.random() < P_TRANSFER:
            to = rng.choice(targets)
            if await self._act(contact_id, "transfer", {"queue_id": to}):
                self.counters.transfers += 1
                return "follow_up", f"Transferred to {to}."
        await self._act(contact_id, "end")  # may already be over if the customer hung up
        return None, None

    async def _reply(self, contact_id: str, talk: float) -> None:
        """Answer a digital conversation through the messages API: an opening, maybe a middle, a closing."""
        rng = self.rng
        texts = [rng.choice(OPENINGS), *([rng.choice(MIDDLES)] if rng.random() < 0.6 else []), rng.choice(CLOSINGS)]
        for text in texts:
            await asyncio.sleep(talk / len(texts))
            if await self.api.ok("POST", f"/api/contacts/{contact_id}/messages", {"body": text}) is None:
                return  # the conversation is over, or the channel refused (logged by the server)
            self.counters.replies += 1

    # ------------------------------------------------------------------ stop

    async def shutdown(self) -> None:
        """Finish what this agent holds and log out (best effort)."""
        for t in [*self.tasks.values(), *self._helpers]:
            t.cancel()
        view = await self.api.ok("GET", "/api/agent")
        if not isinstance(view, dict) or not view.get("logged_in"):
            return
        for w in view["work"]:
            if w["stage"] == "reserved":
                await self._act(w["contact_id"], "decline")
            else:
                await self._act(w["contact_id"], "wrapup", {"disposition": "follow_up", "notes": "demo stopped"})
        with contextlib.suppress(Exception):
            await self.api.call("POST", "/api/agent/logout")
