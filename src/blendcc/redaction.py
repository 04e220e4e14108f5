"""Secret redaction for logs and CLI output: bearer tokens, passwords and the password of a database URL."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

MASK = "[REDACTED]"

#: (pattern, replacement) applied in order; every pattern keeps the name of what it hid.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # scheme://user:PASSWORD@host (database, Redis and SIP trunk URLs)
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@'\"]*):([^\s@'\"]*)@"), rf"\1:{MASK}@"),
    # "Authorization: Bearer x", {"authorization": "Basic x"}, ('authorization', b'Bearer x')
    (re.compile(r"""(?i)(\bauthorization['"]?\s*+[:=,]\s*+(?>(?:b?['"])?))(?!\[REDACTED\])[^'"\r\n,}\]]+"""),
     rf"\1{MASK}"),
    # a bearer credential anywhere: "Bearer x" and the WebSocket subprotocol "bearer.x"
    (re.compile(r"(?i)\b(bearer)([\s.]+)[A-Za-z0-9._~+/=-]{8,}"), rf"\1\2{MASK}"),
    # quoted keys of JSON or a repr: "password": "x", 'access_token': 'x'
    (re.compile(r"""(?i)(['"]\w*(?:password|passwd|secret|token)\w*['"]\s*:\s*)"""
                r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,}]+)"""), rf"\1'{MASK}'"),
    # key=value in a query string, a form or a repr: ?token=x, password='x', secret_key=x
    (re.compile(r"""(?i)(\b\w*(?:password|passwd|secret|token)\w*=)("[^"]*"|'[^']*'|[^\s&,;)'"]+)"""),
     rf"\1{MASK}"),
)


def redact(text: str) -> str:
    """``text`` with every credential it carries replaced by ``[REDACTED]``."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value: Any) -> Any:
    """A string argument redacted; any other argument replaced by its redacted text only when that text
    carried a secret (so ``%d`` and ``%r`` keep formatting numbers and reprs as before)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    try:
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    except Exception:  # a broken __str__: the handler reports it as it would have
        return value
    clean = redact(text)
    return value if clean == text else clean


def redact_record(record: logging.LogRecord) -> None:
    """Redact a log record in place: its message, each argument (keeping their number, which formatters
    such as uvicorn's access formatter unpack) and its formatted traceback."""
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    elif record.msg is not None and not isinstance(record.msg, (int, float)):
        record.msg = redact(str(record.msg))
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_value(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _redact_value(v) for k, v in record.args.items()}
    try:  # a secret split over several arguments ("%s: %s", "Authorization", "Basic x") shows only here
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to the handler to report
        message = None
    if message is not None:
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactFilter(logging.Filter):
    """A logging filter that redacts every record it sees and lets it through."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_installed: list[Callable[..., logging.LogRecord]] = []


def install() -> None:
    """Redact every log record of this process, whichever logger, level or handler (idempotent).

    A record factory covers handlers configured later too (uvicorn configures its own when it starts);
    the filter on the root handlers covers records made before this call and then propagated."""
    if not _installed:
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed.append(factory)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactFilter) for f in handler.filters):
            handler.addFilter(RedactFilter())
