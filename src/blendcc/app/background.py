"""The server's background work on one Scheduler: engine timers, live stats, and the leader-only timers and loops."""

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
    after events (coalesced) and every ``stats_interval_s`` when idle. The work that issues commands on its
    own (the scheduled callbacks' timer, the crisis timers, the temporary agents' expiry, the dialing tick,
    the email listeners) is registered as leader-only services (``Container.leader_only``, ADR 0063): the
    lifespan starts them at once on a single node, the leadership thread only while this node leads."""

    def __init__(self, container: Container, scheduler: Scheduler) -> None:
        self.container = container
        self.scheduler = scheduler
        self.jobs: list[Periodic] = []
        self.feed: WallboardFeed | None = None
        self.timers = False

    def start_timers(self) -> None:
        """Engine timers and the stats publisher."""
        c = self.container
        c.runtime.attach_scheduler(self.scheduler)  # a standby's Runtime arms nothing until it takes over
        scheduler, lead = self.scheduler, c.leader_only
        if c.desk is not None:  # scheduled callbacks: one timer at the next due time
            callbacks = c.desk.callbacks
            lead.add("callbacks", lambda: callbacks.attach(scheduler), lambda: callbacks.attach(None))
        if c.crisis is not None:  # crisis playbooks: notification repeats, escalations, schedule windows
            crisis = c.crisis
            lead.add("crisis", lambda: crisis.attach(scheduler), lambda: crisis.attach(None))
        if c.temp_agents is not None:  # expired temporary agents are logged out of routing
            sweep = Periodic(scheduler, 60.0, c.temp_agents.sweep, "temporary agents' expiry")
            lead.add("temp-agents", sweep.start, sweep.stop)
        self.timers = True
        s = c.settings
        self.feed = WallboardFeed(c.views.wallboard, c.bus, self.scheduler, s.wallboard_coalesce_s, s.stats_interval_s,
                                  s.wallboard_max_per_s)
        if c.cluster is not None:  # a standby's live state is empty: the leader's node publishes the board
            self.feed.active = lambda: bool(c.cluster.is_leader)
        c.runtime.subscribers.append(self.feed.start())

    def start_dialing(self) -> None:
        """The dialing loop's tick (leader-only), if a loop is wired (by BLENDCC_TELEPHONY or the SIP edge)."""
        c, scheduler = self.container, self.scheduler
        dialing, campaigns = c.dialing, c.campaigns
        if dialing is None:
            return
        interval_s = c.settings.dialer_tick_s

        def start() -> None:
            if c.cluster is not None and campaigns is not None:  # taking over: the old leader may have started or
                campaigns.reload_states()  # paused campaigns since this process read their states
                dialing.sync(campaigns.running(), campaigns.state)
            start_ticker(dialing, scheduler, interval_s)

        c.leader_only.add("dialing", start, lambda: stop_ticker(dialing))

    def add_email(self) -> None:
        """The SMTP listener and the IMAP pollers (leader-only: what they accept becomes commands)."""
        email = self.container.email
        if email is not None:
            for name, start, stop in email.services():
                self.container.leader_only.add(name, start, stop)

    def stop(self) -> None:
        """Stop every job (waiting for runs in progress), the leader-only services, and detach the Runtime."""
        self.container.leader_only.clear()
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
            self.container.runtime.attach_scheduler(None)
            self.timers = False
