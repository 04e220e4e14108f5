"""Knowledge-base use cases: help-centre sessions (start, search, view, contact), agents' uses and the figures."""

from __future__ import annotations

import re
import secrets

from blendcc.content_ports import KbUsage
from blendcc.domain.errors import ValidationFailed
from blendcc.domain.kb_figures import ArticleUse, HelpSession, KbFigures, figures
from blendcc.ports import Clock

#: a help-centre session id as kept in the browser (random, no personal data)
HELP_SESSION = r"^hs-[0-9a-f]{32}$"
#: a browser's help-centre session lasts this long after its start (then a visit starts a new one)
SESSION_TTL_S = 30 * 60.0
MAX_PERIOD_S = 366 * 86400.0


class KbUsageService:
    def __init__(self, repo: KbUsage, clock: Clock) -> None:
        self.repo = repo
        self.clock = clock

    def visit(self, session_id: str | None, lang: str) -> str:
        """The browser's current session: ``session_id`` while it is known and young, else a new one."""
        now = self.clock.now()
        if session_id and re.match(HELP_SESSION, session_id):
            found = self.repo.session(session_id)
            if found is not None and now - found.started_at < SESSION_TTL_S:
                return found.id
        new = "hs-" + secrets.token_hex(16)
        self.repo.start_session(HelpSession(new, now, lang))
        return new

    def searched(self, session_id: str) -> None:
        self.repo.event(session_id, self.clock.now(), "search")

    def viewed(self, session_id: str, article_id: str, lang: str, category: str) -> None:
        self.repo.event(session_id, self.clock.now(), "view", article_id=article_id, lang=lang, category=category)

    def contacted(self, session_id: str | None, ref: str) -> bool:
        """A contact started from a help-centre session's browser; an unknown or malformed id links nothing."""
        if not session_id or not re.match(HELP_SESSION, session_id) or self.repo.session(session_id) is None:
            return False
        self.repo.event(session_id, self.clock.now(), "contact", ref=ref)
        return True

    def used(self, contact_id: str, article_id: str, lang: str, action: str, agent: str | None) -> ArticleUse:
        use = ArticleUse(contact_id, article_id, lang, action, agent, self.clock.now())
        self.repo.use(use)
        return use

    def figures(self, start: float, end: float) -> KbFigures:
        if not 0 < end - start <= MAX_PERIOD_S:
            raise ValidationFailed("the period must end after it starts and last at most 366 days")
        return figures(start, end, *self.repo.period(start, end))
