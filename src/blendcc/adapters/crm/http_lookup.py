"""``ports.CrmLookup`` over HTTP: a GET to a configured URL template, with headers, a timeout and a TTL cache."""

from __future__ import annotations

import asyncio
import string
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from blendcc.domain.customer import CrmUnavailable
from blendcc.ports import Clock

#: placeholders a URL template may use (each URL-encoded; empty when the customer has none)
PLACEHOLDERS = frozenset({"phone", "email", "chat", "social", "customer_id", "name"})
_MAX_CACHED = 10_000


def check_template(template: str) -> str:
    """``template`` if it is an http(s) URL whose placeholders are all known; else ValueError."""
    if not template.startswith(("http://", "https://")):
        raise ValueError("the CRM URL template must be an http:// or https:// URL")
    for _, name, spec, conv in string.Formatter().parse(template):
        if name is not None and (name not in PLACEHOLDERS or spec or conv):
            raise ValueError(f"unknown CRM URL placeholder {{{name}}}; use {sorted(PLACEHOLDERS)}")
    return template


class HttpCrmLookup:
    """Answers are cached per URL for ``cache_ttl_s`` (failures are not cached); a lookup never takes
    longer than ``timeout_s``."""

    def __init__(self, url_template: str, clock: Clock, headers: Mapping[str, str] | None = None,
                 timeout_s: float = 2.0, cache_ttl_s: float = 300.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.template = check_template(url_template)
        self.clock = clock
        self.headers = dict(headers or {})
        self.timeout_s = timeout_s
        self.cache_ttl_s = cache_ttl_s
        self.transport = transport
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self.requests = 0  # HTTP requests made (cache misses), for tests and metrics

    def url(self, identities: Mapping[str, str]) -> str:
        values = {name: quote(str(identities.get(name) or ""), safe="") for name in PLACEHOLDERS}
        return self.template.format_map(values)

    async def lookup(self, identities: Mapping[str, str]) -> dict[str, Any]:
        url = self.url(identities)
        now = self.clock.now()
        hit = self._cache.get(url)
        if hit is not None and hit[0] > now:
            return hit[1]
        self.requests += 1
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s, transport=self.transport) as client:
                response = await asyncio.wait_for(client.get(url, headers=self.headers), self.timeout_s)
        except (httpx.HTTPError, TimeoutError) as exc:
            raise CrmUnavailable(f"CRM lookup failed: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise CrmUnavailable(f"CRM answered HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise CrmUnavailable("CRM answer is not JSON") from exc
        answer = data if isinstance(data, dict) else {"result": data}
        if len(self._cache) >= _MAX_CACHED:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
        if len(self._cache) < _MAX_CACHED:
            self._cache[url] = (now + self.cache_ttl_s, answer)
        return answer
