"""Provider HTTP calls shared by the messaging adapters: timeouts, retryable and final failures."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from blendcc.domain.conversation import DeliveryFailed

log = logging.getLogger(__name__)
# httpx logs every request's full URL at INFO; Telegram's carries the bot token, so only warnings pass
logging.getLogger("httpx").setLevel(logging.WARNING)

#: what a webhook may carry at most (provider callbacks are a few kB; media come as references)
MAX_WEBHOOK_BYTES = 1024 * 1024


def client(timeout_s: float) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)), follow_redirects=False)


def post(http: httpx.Client, provider: str, url: str, **kwargs: Any) -> httpx.Response:
    """POST to a provider; a transport error or timeout is a retryable ``DeliveryFailed``."""
    try:
        return http.post(url, **kwargs)
    except httpx.TimeoutException:
        raise DeliveryFailed(f"{provider} did not answer in time", retryable=True) from None
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{provider} could not be reached ({type(exc).__name__}: {exc})",
                             retryable=True) from None


def json_body(resp: httpx.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def retry_after(resp: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds (a date form is ignored)."""
    value = resp.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def failure(provider: str, resp: httpx.Response, detail: str, *, retry_after_s: float | None = None) -> DeliveryFailed:
    """A refused call: 429 and 5xx are worth another attempt, any other 4xx is final."""
    retryable = resp.status_code == 429 or resp.status_code >= 500
    reason = f"{provider} answered {resp.status_code}: {detail}"
    log.info("%s (%s)", reason, "will retry" if retryable else "final")
    return DeliveryFailed(reason, retryable=retryable,
                          retry_after_s=retry_after_s if retry_after_s is not None else retry_after(resp))


def hmac_hex(secret: str, body: bytes, digest: str = "sha256") -> str:
    return hmac.new(secret.encode(), body, getattr(hashlib, digest)).hexdigest()


def same(a: str | None, b: str) -> bool:
    """Constant-time comparison of a received secret or signature with the expected one."""
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


def str_field(obj: Mapping[str, Any], name: str, where: str, *, max_length: int = 4096) -> str:
    from blendcc.domain.errors import ValidationFailed

    value = obj.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise ValidationFailed(f"{where}: {name!r} is missing or not a string")
    if len(value) > max_length:
        raise ValidationFailed(f"{where}: {name!r} is longer than {max_length} characters")
    return value
