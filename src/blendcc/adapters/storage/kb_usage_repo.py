"""Knowledge-base use in SQL (``content_ports.KbUsage``): help-centre sessions and events, agents' article uses."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from blendcc.adapters.storage.engine import writer
from blendcc.adapters.storage.kb_usage_tables import kb_article_uses, kb_help_events, kb_help_sessions
from blendcc.domain.kb_figures import ArticleUse, HelpContact, HelpSession, HelpView


class SqlKbUsage:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def start_session(self, session: HelpSession) -> None:
        with self._writer.begin() as conn:
            conn.execute(kb_help_sessions.insert(), {"id": session.id, "started_at": session.started_at,
                                                     "lang": session.lang})

    def session(self, session_id: str) -> HelpSession | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(kb_help_sessions).where(kb_help_sessions.c.id == session_id)).mappings().first()
        return None if r is None else HelpSession(r["id"], float(r["started_at"]), r["lang"])

    def event(self, session_id: str, at: float, kind: str, *, article_id: str | None = None, lang: str | None = None,
              category: str | None = None, ref: str | None = None) -> None:
        with self._writer.begin() as conn:
            conn.execute(kb_help_events.insert(), {"session_id": session_id, "at": at, "kind": kind,
                                                   "article_id": article_id, "lang": lang, "category": category,
                                                   "ref": ref})

    def use(self, use: ArticleUse) -> None:
        with self._writer.begin() as conn:
            conn.execute(kb_article_uses.insert(), {"contact_id": use.contact_id, "article_id": use.article_id,
                                                    "lang": use.lang, "action": use.action, "agent": use.agent,
                                                    "at": use.at})

    def uses_of(self, contact_id: str) -> list[ArticleUse]:
        t = kb_article_uses
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.contact_id == contact_id).order_by(t.c.seq)).mappings().all()
        return [_use(r) for r in rows]

    def period(self, start: float, end: float) -> tuple[list[HelpSession], list[HelpView], int, list[HelpContact],
                                                        list[ArticleUse]]:
        """Sessions started in [start, end) with their views, search count and contacts; uses made in it."""
        s, e, u = kb_help_sessions, kb_help_events, kb_article_uses
        ids = select(s.c.id).where(s.c.started_at >= start, s.c.started_at < end).scalar_subquery()
        with self.engine.connect() as conn:
            sessions = [HelpSession(r["id"], float(r["started_at"]), r["lang"]) for r in conn.execute(
                select(s).where(s.c.started_at >= start, s.c.started_at < end)).mappings()]
            events = conn.execute(select(e).where(e.c.session_id.in_(ids), e.c.kind.in_(("view", "contact")))
                                  .order_by(e.c.seq)).mappings().all()
            searches = conn.execute(select(func.count()).select_from(e).where(
                e.c.session_id.in_(ids), e.c.kind == "search")).scalar_one()
            uses = [_use(r) for r in conn.execute(select(u).where(u.c.at >= start, u.c.at < end)
                                                  .order_by(u.c.seq)).mappings()]
        views = [HelpView(r["session_id"], float(r["at"]), r["article_id"], r["lang"], r["category"] or "")
                 for r in events if r["kind"] == "view"]
        contacts = [HelpContact(r["session_id"], float(r["at"])) for r in events if r["kind"] == "contact"]
        return sessions, views, int(searches), contacts, uses


def _use(r: object) -> ArticleUse:
    m = dict(r)  # type: ignore[call-overload]
    return ArticleUse(m["contact_id"], m["article_id"], m["lang"], m["action"], m["agent"], float(m["at"]))
