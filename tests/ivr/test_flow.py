"""Flow documents: what validation accepts and refuses, with the message a flow author sees."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from blendcc.ivr.flow import DigitRules, IvrFlow, digits_valid, luhn_ok

from .flows import bank_flow


def refused(flow: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as exc:
        IvrFlow.model_validate(flow)
    return str(exc.value)


def nodes(flow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in flow["nodes"]}


def test_bank_flow_is_valid() -> None:
    flow = IvrFlow.model_validate(bank_flow())
    assert [n.kind for n in flow.nodes][:3] == ["hours", "voicemail", "play"]
    assert flow.node("menu").kind == "menu"
    with pytest.raises(KeyError):
        flow.node("nope")


def test_duplicate_node_id() -> None:
    f = bank_flow()
    f["nodes"].append(copy.deepcopy(nodes(f)["bye"]))
    assert "node id 'bye' is used twice" in refused(f)


def test_unknown_references() -> None:
    f = bank_flow()
    nodes(f)["menu"]["options"][0]["next"] = "salez"
    assert "node menu: unknown node 'salez'" in refused(f)
    assert "start: unknown node 'x'" in refused(bank_flow(start="x"))
    assert "fallback: unknown node 'x'" in refused(bank_flow(fallback="x"))
    assert "must be a queue, voicemail or hangup" in refused(bank_flow(fallback="menu"))


def test_unreachable_node() -> None:
    f = bank_flow()
    f["nodes"].append({"id": "orphan", "kind": "hangup"})
    assert "unreachable nodes: orphan" in refused(f)
    # reachable only as the fallback is fine
    f["fallback"] = "orphan"
    IvrFlow.model_validate(f)


def test_loop_without_input_refused_but_menu_loops_allowed() -> None:
    f = bank_flow()
    nodes(f)["vip"]["next"] = "who"  # who -> vip -> who: lookup/set spin forever
    msg = refused(f)
    assert "loop without caller input" in msg and "who -> vip -> who" in msg
    f = bank_flow()
    nodes(f)["welcome"]["next"] = "welcome"
    assert "welcome -> welcome" in refused(f)
    f = bank_flow()  # a menu that leads back to itself waits for the caller: fine
    nodes(f)["menu"]["options"].append({"key": "9", "next": "menu"})
    nodes(f)["account"]["on_failure"] = "menu"
    IvrFlow.model_validate(f)


def test_unknown_fields_and_kinds_refused() -> None:
    f = bank_flow()
    nodes(f)["menu"]["timeout"] = 3
    assert "timeout" in refused(f) and "Extra inputs are not permitted" in refused(f)
    f = bank_flow()
    nodes(f)["bye"]["kind"] = "transfer"
    assert "transfer" in refused(f)
    assert "Extra inputs" in refused(bank_flow(colour="red"))


def test_node_rules() -> None:
    f = bank_flow()
    nodes(f)["menu"]["options"][1]["key"] = "1"
    assert "key '1' is used twice" in refused(f)
    f = bank_flow()
    nodes(f)["menu"]["options"][1]["key"] = "12"
    assert "key" in refused(f)
    f = bank_flow()
    nodes(f)["menu"]["options"][1]["words"] = ["Sales"]
    assert "word 'sales' is used by two options" in refused(f)
    f = bank_flow()
    nodes(f)["account"]["rules"] = {"min_length": 8, "max_length": 4}
    assert "min_length 8 is above max_length 4" in refused(f)
    f = bank_flow()
    nodes(f)["account"]["rules"] = {"pattern": "[0-9"}
    assert "is not a regular expression" in refused(f)
    f = bank_flow()
    nodes(f)["support"].pop("announce_every_s")
    assert "need announce_every_s" in refused(f)
    f = bank_flow()
    nodes(f)["welcome"]["prompt"] = {}
    assert "a prompt needs a prompt_id or a text" in refused(f)
    f = bank_flow()
    nodes(f)["welcome"]["prompt"] = {"text": "Hi", "language": "English"}
    assert "language" in refused(f)
    f = bank_flow()
    nodes(f)["menu"]["timeout_s"] = 0
    assert "timeout_s" in refused(f)


def test_luhn_and_digit_rules() -> None:
    assert luhn_ok("4556737586899855") and luhn_ok("79927398713")
    assert not luhn_ok("4556737586899856") and not luhn_ok("79927398710") and not luhn_ok("12a4")
    rules = DigitRules(min_length=4, max_length=6, pattern=r"^9\d+$")
    assert digits_valid(rules, "9123") and digits_valid(rules, "912345")
    assert not digits_valid(rules, "912") and not digits_valid(rules, "1234") and not digits_valid(rules, "91*3")
    assert not digits_valid(DigitRules(), "")
