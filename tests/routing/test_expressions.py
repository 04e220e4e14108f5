"""Routing expressions: what compiles, every rejection, and how lookups evaluate."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.domain.errors import ValidationFailed
from blendcc.routing.expressions import compile_expression
from blendcc.routing.workflow import contact_context

CALENDARS = ["uk", "us"]


def ctx(**attributes: Any) -> dict[str, Any]:
    channel = attributes.pop("channel", "voice")
    tier = attributes.pop("tier", None)
    customer_id = attributes.pop("customer_id", None)
    priority = attributes.pop("priority", 0)
    return contact_context(attributes, channel, "inbound", customer_id, tier, priority)


def ev(source: str, context: dict[str, Any] | None = None, open_calendars: frozenset[str] = frozenset()) -> bool:
    expr = compile_expression(source, CALENDARS)
    return expr.evaluate(context if context is not None else ctx(), lambda cal: cal in open_calendars)


# ------------------------------------------------------------------ valid expressions


@pytest.mark.parametrize(
    "source",
    [
        "tier == 'gold'",
        "tier == 'gold' and is_open('uk')",
        "channel in ['chat', 'sms'] or not known",
        "priority >= 5",
        "language != 'en'",
        "ivr.menu == '2'",
        "attr.vip == True",
        "customer_id == None",
        "prefix(caller_id, '+4420', '+4421')",
        "has_keyword('refund', 'cancel')",
        "contains(text, 'broken')",
        "'refund' in keywords",
        "channel not in ('voice',)",
        "priority in {1, 2, 3}",
        "1 < priority <= 10",
    ],
)
def test_valid_expressions_compile(source: str) -> None:
    assert compile_expression(source, CALENDARS).source == source


def test_evaluation_of_names() -> None:
    gold = ctx(tier="gold", customer_id="cust1", language="fr", priority=7, channel="chat")
    assert ev("tier == 'gold'", gold)
    assert not ev("tier == 'gold'", ctx(tier="silver"))
    assert ev("known and customer_id == 'cust1'", gold)
    assert not ev("known", ctx())
    assert ev("channel in ['chat', 'sms'] and language == 'fr'", gold)
    assert ev("priority > 5 and not priority > 8", gold)
    # tier comes from the customer record, else from the contact's attributes
    from_attrs = contact_context({"tier": "silver"}, "voice", "inbound", None, None, 0)
    assert ev("tier == 'silver'", from_attrs)
    from_record = contact_context({"tier": "silver"}, "voice", "inbound", "c9", "gold", 0)
    assert ev("tier == 'gold'", from_record)


def test_is_open_uses_the_given_calendar_function() -> None:
    assert ev("is_open('uk')", open_calendars=frozenset({"uk"}))
    assert not ev("is_open('uk')", open_calendars=frozenset({"us"}))
    assert ev("not is_open('us')", open_calendars=frozenset({"uk"}))


def test_ivr_and_attr_lookups() -> None:
    c = ctx(ivr={"menu": "2", "account": "123"}, vip=True, segment="smb")
    assert ev("ivr.menu == '2'", c)
    assert ev("ivr.account == '123' and attr.vip == True", c)
    assert ev("attr.segment == 'smb'", c)
    assert not ev("ivr.menu == '3'", c)
    # missing keys are None, not errors
    assert ev("ivr.nothing == None and attr.nothing == None", c)
    assert not ev("ivr.menu == '2'", ctx())
    # ivr choices are not duplicated into attr
    assert ev("attr.ivr == None", c)


def test_keywords_prefix_contains() -> None:
    c = ctx(subject="Refund please", text="My router is BROKEN again", caller_id="+442079460000")
    assert ev("has_keyword('refund', 'cancel')", c)
    assert ev("has_keyword('Broken')", c)
    assert not ev("has_keyword('cancel')", c)
    assert ev("'router' in keywords", c)
    assert ev("contains(text, 'broken')", c)
    assert ev("contains(subject, 'REFUND')", c)
    assert not ev("contains(text, 'fixed')", c)
    assert ev("prefix(caller_id, '+4421', '+4420')", c)
    assert not ev("prefix(caller_id, '+1')", c)
    # None values never match and never raise
    empty = ctx()
    assert not ev("prefix(caller_id, '+44')", empty)
    assert not ev("contains(text, 'x')", empty)
    assert not ev("has_keyword('x')", empty)


def test_incompatible_comparison_is_false_not_an_error() -> None:
    c = ctx(priority=3)
    assert not ev("tier > 3", c)  # None > int raises TypeError inside: no match
    assert not ev("language < 2", ctx(language="en"))
    assert not ev("'x' in priority", c)
    assert not ev("prefix(priority, 1)", c)
    # a failing part of an "or" still makes the whole expression not match
    assert not ev("tier > 3 or priority == 3", c)


# ------------------------------------------------------------------ rejections


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 2001, "longer than 2000"),
        ("tier ==", "not valid"),
        ("tier = 'gold'", "not valid"),
        ("colour == 'red'", "unknown name 'colour'"),
        ("__import__ == None", "unknown name '__import__'"),
        ("__import__('os')", "only these functions"),
        ("().__class__ == 1", "only ivr.<name> and attr.<name>"),
        ("ivr.__class__", "cannot start with '_'"),
        ("attr._private == 1", "cannot start with '_'"),
        ("tier.upper == 'GOLD'", "only ivr.<name> and attr.<name>"),
        ("tier.upper() == 'GOLD'", "only these functions"),
        ("(lambda: 1) == 1", "Lambda"),
        ("(lambda: 1)()", "only these functions"),
        ("keywords[0] == 'x'", "Subscript"),
        ("[w for w in keywords]", "ListComp"),
        ("{w for w in keywords}", "SetComp"),
        ("priority + 1 > 2", "BinOp"),
        ("tier if known else 'x'", "IfExp"),
        ("f'{tier}' == 'gold'", "JoinedStr"),
        ("(x := 1)", "NamedExpr"),
        ("len == 2", "unknown name 'len'"),
        ("len(keywords) > 2", "only these functions"),
        ("open('/etc/passwd')", "only these functions"),
        ("tier('x')", "only these functions"),
        ("is_open(calendar='uk')", "only these functions"),
        ("has_keyword(word='x')", "only these functions"),
        ("is_open('mars')", "unknown calendar 'mars'"),
        ("is_open(tier)", "one calendar id"),
        ("is_open('uk', 'us')", "one calendar id"),
    ],
)
def test_rejections(source: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        compile_expression(source, CALENDARS)
    assert message in info.value.message
    assert info.value.code == "invalid"


def test_calendar_check_is_skipped_without_a_calendar_list() -> None:
    expr = compile_expression("is_open('anything')")
    assert expr.evaluate(ctx(), lambda cal: cal == "anything")


def test_builtins_are_not_reachable() -> None:
    # even names that compile cannot reach Python builtins at evaluation time
    expr = compile_expression("True and None == None and False == False")
    assert expr.evaluate(ctx(), lambda cal: False)
