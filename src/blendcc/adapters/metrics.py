"""Prometheus metrics (prometheus-client): contacts and offers counted from the committed log, commit latency
and batch size of the single writer, queue depths and the bus lag read at scrape time; one registry per app."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from blendcc.ports import StoredEvent

log = logging.getLogger(__name__)

#: events counted by type (label ``type``) as they are committed
COUNTED = ("ContactCreated", "ContactOffered", "OfferRevoked", "ContactConnected", "ContactAbandoned",
           "ContactClosed")
COMMIT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class _Live(Collector):
    """Gauges read when Prometheus scrapes: the live state's counts and the bus lag."""

    def __init__(self, gauges: Callable[[], Mapping[str, Any]], bus_lag: Callable[[], float | None],
                 leader: Callable[[], bool | None] = lambda: None,
                 listeners: Callable[[], Mapping[str, bool]] = dict) -> None:
        self._gauges = gauges
        self._bus_lag = bus_lag
        self._leader = leader
        self._listeners = listeners

    def collect(self) -> Iterator[Metric]:
        g = self._gauges()
        yield GaugeMetricFamily("blendcc_contacts_open", "contacts open in the live state", value=g["contacts_open"])
        waiting = GaugeMetricFamily("blendcc_queue_depth", "contacts waiting (queued or offered) per queue",
                                    labels=["queue"])
        for queue_id, n in sorted(g["waiting"].items()):
            waiting.add_metric([queue_id], n)
        yield waiting
        yield GaugeMetricFamily("blendcc_agents_logged_in", "agents logged in", value=g["agents_logged_in"])
        yield GaugeMetricFamily("blendcc_writer_queue", "commands waiting for the single writer (group commit)",
                                value=g["writer_queue"])
        lag = self._bus_lag()
        if lag is not None:
            yield GaugeMetricFamily("blendcc_bus_lag_seconds", "age of the last bus message when this node got it",
                                    value=lag)
        leader = self._leader()
        if leader is not None:
            yield GaugeMetricFamily("blendcc_routing_leader", "1 while this node holds the routing lease (cluster)",
                                    value=1.0 if leader else 0.0)
        running = GaugeMetricFamily("blendcc_listener_running", "1 while a leader-only listener or loop runs on "
                                    "this node (SMTP, IMAP, dialing tick, timers; ADR 0063)", labels=["listener"])
        for name, on in sorted(self._listeners().items()):
            running.add_metric([name], 1.0 if on else 0.0)
        yield running

    def describe(self) -> Iterator[Metric]:
        return iter(())


class PrometheusMetrics:
    """A ``CommitSubscriber`` and the writer's batch observer, with the scrape-time gauges."""

    def __init__(self, gauges: Callable[[], Mapping[str, Any]], bus_lag: Callable[[], float | None],
                 leader: Callable[[], bool | None] = lambda: None,
                 listeners: Callable[[], Mapping[str, bool]] = dict) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.events = Counter("blendcc_events", "events committed to the log, by type", ["type"],
                              registry=self.registry)
        self.commit_seconds = Histogram("blendcc_commit_seconds", "durable append of one writer transaction",
                                        buckets=COMMIT_BUCKETS, registry=self.registry)
        self.batch_size = Histogram("blendcc_commit_batch_commands", "commands stored in one writer transaction",
                                    buckets=BATCH_BUCKETS, registry=self.registry)
        for name in COUNTED:
            self.events.labels(type=name)  # present at 0 from the start
        self.registry.register(_Live(gauges, bus_lag, leader, listeners))

    def committed(self, batch: Sequence[StoredEvent]) -> None:
        for s in batch:
            if s.event.type in COUNTED:
                self.events.labels(type=s.event.type).inc()

    def observe_commit(self, commands: int, seconds: float) -> None:
        self.commit_seconds.observe(seconds)
        self.batch_size.observe(commands)

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
