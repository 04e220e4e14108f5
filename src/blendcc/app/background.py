"""The server's background work on one Scheduler: engine timers at their due times, live stats, the dialing tick."""

from __future__ import annotations

from typing import TYPE_CHECKING

from blendcc.app.outbound.ticker import start_ticker, stop_ticker
from blendcc.app.periodic import Periodic
from blendcc.app.reporting.wallboard_feed import WallboardFeed
from blendcc.ports import Scheduler

if TYPE_CHECKING:
    from blendcc.app.container import Container


class Background:
    """Started by the API lifespan: the Runtime arms the scheduler for the engine's next due time after
    every command (no polling), the wallboard is published on the 'stats' topic ``wallboard_coalesce_s``
    after events (coalesced) and every ``stats_interval_s`` when idle, and a wired dialing loop ticks
    every ``dialer_tick_s``."""

    def __init__(self, container: Container, scheduler: Scheduler) -> None:
        self.container = container
        self.scheduler = scheduler
        self.jobs: list[Periodic] = []
        self.feed: WallboardFeed | None = None
        self.timers = False

    def start_timers(self) -> None:
        """Engine timers and the stats publisher."""
        c = self.container
        c.runtime.attach_scheduler(self.scheduler)
        if c.desk is not None:  # scheduled callbacks: one timer at the next due time
            c.desk.callbacks.attach(self.scheduler)
        if c.crisis is not None:  # crisis playbooks: notification repeats, escalations, schedule windows
            c.crisis.attach(self.scheduler)
        if c.temp_agents is not None:  # expired temporary agents are logged out of routing
            self.jobs.append(Periodic(self.scheduler, 60.0, c.temp_agents.sweep, "temporary agents' expiry").start())
        self.timers = True
        s = c.settings
        self.feed = WallboardFeed(c.views.wallboard, c.bus, self.scheduler, s.wallboard_coalesce_s, s.stats_interval_s,
                                  s.wallboard_max_per_s)
        if c.cluster is not None:  # a standby's live state is empty: the leader's node publishes the board
            self.feed.active = lambda: bool(c.cluster.is_leader)
        c.runtime.subscribers.append(self.feed.start())

    def start_dialing(self) -> None:
        """The dialing loop's tick, if a loop is wired and not ticking yet (the SIP edge may have started it)."""
        dialing = self.container.dialing
        if dialing is not None and dialing.ticker is None:
            start_ticker(dialing, self.scheduler, self.container.settings.dialer_tick_s)

    def stop(self) -> None:
        """Stop every job (waiting for runs in progress) and detach the Runtime from the scheduler."""
        stop_ticker(self.container.dialing)
        for job in self.jobs:
            job.stop()
        self.jobs = []
        if self.feed is not None:
            self.feed.stop()
            if self.feed in self.container.runtime.subscribers:
                self.container.runtime.subscribers.remove(self.feed)
            self.feed = None
        if self.timers:
            if self.container.desk is not None:
                self.container.desk.callbacks.attach(None)
            if self.container.crisis is not None:
                self.container.crisis.attach(None)
            self.container.runtime.attach_scheduler(None)
            self.timers = False
