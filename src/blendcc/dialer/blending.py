"""Blending: how many free agents outbound may use without hurting inbound service (inbound first)."""

from __future__ import annotations

from dataclasses import dataclass

from blendcc.wfm.erlang import erlang_c_metrics


@dataclass(frozen=True, slots=True)
class InboundLoad:
    """The pool's inbound side: contacts waiting now, recent arrival rate (per s) and handle time,
    the queue's service-level threshold and target. ``rate_per_s`` 0 means no inbound traffic."""

    waiting: int = 0
    rate_per_s: float = 0.0
    aht_s: float = 180.0
    sl_threshold_s: float = 20.0
    sl_target: float = 0.8


@dataclass(frozen=True, slots=True)
class BlendDecision:
    usable: int  # free agents outbound may take now
    reason: str  # 'ok', 'inbound_waiting', 'reserve', 'inbound_sl'


def predicted_sl(agents: int, load: InboundLoad) -> float:
    """Erlang C service level of the inbound queue if ``agents`` served it (1.0 without traffic)."""
    if load.rate_per_s <= 0.0:
        return 1.0
    if agents <= 0:
        return 0.0
    return erlang_c_metrics(agents, load.rate_per_s, load.aht_s, load.sl_threshold_s).service_level


def outbound_usable(*, free: int, on_inbound_or_idle: int, inbound: InboundLoad, reserve: int,
                    sl_guard: bool) -> BlendDecision:
    """Free agents the dialer may take now.

    Inbound first: nothing while an inbound contact waits. ``reserve`` free agents are always left
    for inbound. With ``sl_guard``, outbound takes an agent only while the Erlang C service level of
    the inbound queue, served by the agents not tied up in outbound (``on_inbound_or_idle``) minus the
    one taken, still meets the queue's target.
    """
    if free <= 0:
        return BlendDecision(0, "ok")
    if inbound.waiting > 0:
        return BlendDecision(0, "inbound_waiting")
    usable = max(0, free - reserve)
    if usable == 0:
        return BlendDecision(0, "reserve")
    if sl_guard and inbound.rate_per_s > 0.0:
        n = 0
        while n < usable and predicted_sl(on_inbound_or_idle - n - 1, inbound) >= inbound.sl_target:
            n += 1
        if n < usable:
            return BlendDecision(n, "inbound_sl")
    return BlendDecision(usable, "ok")
