"""A small API client for the demo: one user's bearer token, re-login on 401, errors logged not raised."""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from typing import Any

import httpx

log = logging.getLogger("blendcc.demo")

#: Answers that are part of normal races (offer revoked meanwhile, contact already gone ...).
EXPECTED = (404, 409)


@dataclass
class Counters:
    """What the demo traffic did, for the periodic log line and the final summary."""

    created: int = 0
    create_failed: int = 0
    abandoned: int = 0
    offers: int = 0
    accepted: int = 0
    declined: int = 0
    rang_out: int = 0
    holds: int = 0
    transfers: int = 0
    wrapped: int = 0
    emails: int = 0
    sms: int = 0
    replies: int = 0
    breaks: int = 0
    sip_calls: int = 0
    sip_answered: int = 0
    errors: int = 0

    def line(self) -> str:
        return ", ".join(f"{f.name} {getattr(self, f.name)}" for f in fields(self))


class Api:
    """Calls the blendcc API as ``username``; ``call`` returns the response, or None if unreachable."""

    def __init__(self, http: httpx.AsyncClient, username: str, password: str, counters: Counters):
        self.http = http
        self.username = username
        self.password = password
        self.counters = counters
        self.token: str | None = None
        self.refused = False  # the server answered: wrong username or password

    async def login(self) -> bool:
        try:
            r = await self.http.post("/api/auth/token", json={"username": self.username, "password": self.password})
        except httpx.HTTPError as exc:
            log.debug("%s: login failed: %s", self.username, exc)
            return False
        self.refused = r.status_code in (401, 403)
        if r.status_code != 200:
            log.warning("%s: login refused (%s): %s", self.username, r.status_code, r.text[:200])
            return False
        self.token = str(r.json()["access_token"])
        return True

    async def call(self, method: str, path: str, json: Any = None) -> httpx.Response | None:
        """One request; logs in first if needed and once more on 401. Never raises for HTTP trouble."""
        for attempt in range(2):
            if self.token is None and not await self.login():
                return None
            try:
                r = await self.http.request(method, path, json=json,
                                            headers={"Authorization": f"Bearer {self.token}"})
            except httpx.HTTPError as exc:
                self.counters.errors += 1
                log.warning("%s %s %s: %s", self.username, method, path, exc or type(exc).__name__)
                return None
            if r.status_code == 401 and attempt == 0:
                self.token = None
                continue
            if r.status_code >= 500:
                self.counters.errors += 1
                log.warning("%s %s %s: server error %s: %s", self.username, method, path, r.status_code,
                            r.text[:200])
            elif r.status_code >= 400 and r.status_code not in EXPECTED:
                self.counters.errors += 1
                log.warning("%s %s %s: %s %s", self.username, method, path, r.status_code, r.text[:200])
            elif r.status_code >= 400:
                log.debug("%s %s %s: %s %s", self.username, method, path, r.status_code, r.text[:200])
            return r
        return None

    async def ok(self, method: str, path: str, json: Any = None) -> dict[str, Any] | list[Any] | None:
        """The JSON body of a 2xx answer, else None."""
        r = await self.call(method, path, json)
        if r is None or not r.is_success:
            return None
        body: dict[str, Any] | list[Any] = r.json()
        return body
