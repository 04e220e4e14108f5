"""Safe routing expressions over contact attributes, e.g. ``tier == 'gold' and is_open('uk')``.

The language is a small subset of Python syntax, checked node by node before it is compiled:
comparisons (== != < <= > >= in, not in), and/or/not, literals (strings, numbers, booleans, None,
lists), attribute names, ``ivr.menu`` / ``attr.x`` lookups and a fixed set of functions.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from blendcc.domain.errors import ValidationFailed

#: Names an expression may use, and what they mean.
NAMES: dict[str, str] = {
    "channel": "voice, chat, sms, email or social",
    "direction": "inbound or outbound",
    "caller_id": "caller's number or address as received",
    "dialled_number": "number or address the customer contacted",
    "language": "customer language code, e.g. 'en'",
    "tier": "customer tier, e.g. 'gold' (from the customer record)",
    "known": "True if the customer was identified",
    "customer_id": "identified customer id, or None",
    "priority": "priority given at creation",
    "subject": "email subject or chat topic",
    "text": "first message text",
    "ivr": "IVR choices, e.g. ivr.menu == '2'",
    "attr": "any other attribute, e.g. attr.vip == True",
    "keywords": "set of lower-case words of subject and first message",
}

FUNCTIONS: dict[str, str] = {
    "is_open": "is_open('calendar-id'): the business-hours calendar is open now",
    "prefix": "prefix(caller_id, '+4420', '+4421'): the value starts with any of the prefixes",
    "has_keyword": "has_keyword('refund', 'cancel'): any of the words occurs in subject or first message",
    "contains": "contains(text, 'broken'): case-insensitive substring test",
}

_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Call,
    ast.Attribute,
)


class _Lookup:
    """``ivr.menu`` / ``attr.x`` access that yields None for a missing key."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]):
        self._data = data

    def __getattr__(self, name: str) -> Any:
        return self._data.get(name)


@dataclass(frozen=True)
class Expression:
    source: str
    _code: Any

    def evaluate(self, context: Mapping[str, Any], is_open: Callable[[str], bool]) -> bool:
        scope = _scope(context, is_open)
        try:
            return bool(eval(self._code, {"__builtins__": {}}, scope))
        except (TypeError, ValueError, AttributeError):
            return False  # a comparison between incompatible values simply does not match


def compile_expression(source: str, calendars: Iterable[str] | None = None) -> Expression:
    """Validate and compile ``source``; raise ValidationFailed with a readable reason."""
    if not source or not source.strip():
        raise ValidationFailed("expression is empty")
    if len(source) > 2000:
        raise ValidationFailed("expression is longer than 2000 characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValidationFailed(f"expression {source!r} is not valid: {exc.msg}") from None
    known_calendars = set(calendars) if calendars is not None else None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ValidationFailed(f"expression {source!r} uses {type(node).__name__}, which is not allowed")
        if isinstance(node, ast.Name) and node.id not in NAMES and node.id not in FUNCTIONS:
            if node.id in ("True", "False", "None"):
                continue
            raise ValidationFailed(
                f"expression {source!r}: unknown name {node.id!r}; known: {', '.join(sorted(NAMES))}"
            )
        if isinstance(node, ast.Attribute):
            if not (isinstance(node.value, ast.Name) and node.value.id in ("ivr", "attr")):
                raise ValidationFailed(f"expression {source!r}: only ivr.<name> and attr.<name> lookups")
            if node.attr.startswith("_"):
                raise ValidationFailed(f"expression {source!r}: attribute names cannot start with '_'")
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS) or node.keywords:
                raise ValidationFailed(
                    f"expression {source!r}: only these functions may be called: {', '.join(FUNCTIONS)}"
                )
            if node.func.id == "is_open" and known_calendars is not None:
                args = node.args
                if len(args) != 1 or not isinstance(args[0], ast.Constant):
                    raise ValidationFailed("is_open takes one calendar id in quotes")
                if args[0].value not in known_calendars:
                    raise ValidationFailed(f"expression {source!r}: unknown calendar {args[0].value!r}")
    return Expression(source, compile(tree, "<routing expression>", "eval"))


def _prefix(value: Any, *prefixes: str) -> bool:
    return isinstance(value, str) and any(value.startswith(p) for p in prefixes)


def _contains(value: Any, needle: str) -> bool:
    return isinstance(value, str) and needle.lower() in value.lower()


def _scope(context: Mapping[str, Any], is_open: Callable[[str], bool]) -> dict[str, Any]:
    scope: dict[str, Any] = {name: context.get(name) for name in NAMES}
    scope["ivr"] = _Lookup(context.get("ivr") or {})
    scope["attr"] = _Lookup(context.get("attr") or {})
    words = scope.get("keywords") or set()
    scope["keywords"] = words
    scope["is_open"] = is_open
    scope["prefix"] = _prefix
    scope["contains"] = _contains
    scope["has_keyword"] = lambda *ws: any(w.lower() in words for w in ws)
    return scope
