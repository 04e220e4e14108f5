"""Ports of the content a centre keeps beside its contacts: canned responses, the knowledge base, quality
evaluations and speech-to-text engines (re-exported by ``blendcc.ports``)."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from typing import Any, Protocol

from blendcc.domain.canned import CannedResponse
from blendcc.domain.kb_figures import ArticleUse, HelpContact, HelpSession, HelpView
from blendcc.domain.knowledge import Article, ArticleVersion
from blendcc.domain.quality import Calibration, Evaluation
from blendcc.domain.transcript import Utterance


class CannedRepository(Protocol):
    """Canned responses (``domain.canned``); ``put`` creates or replaces by id and raises InvalidState when
    another response of the same scope and owner has the shortcut."""

    def get(self, response_id: str) -> CannedResponse | None: ...
    def list(self) -> builtins.list[CannedResponse]: ...
    def put(self, response: CannedResponse) -> None: ...
    def delete(self, response_id: str) -> bool: ...


class SpeechToText(Protocol):
    """A speech-to-text engine (``adapters/speech``): 16-bit mono PCM at ``sample_rate`` in, utterances with
    their times (seconds from the start of that audio) out."""

    name: str

    def transcribe(self, pcm16: bytes, sample_rate: int) -> builtins.list[Utterance]: ...


class KnowledgeBase(Protocol):
    """Knowledge-base articles (``domain.knowledge``), every save a new version, and full-text search over the
    current versions (PostgreSQL full-text search or SQLite FTS5): ``plain`` is the text that is indexed."""

    def save(self, article: Article, plain: str, at: float, by: str | None) -> ArticleVersion: ...
    def current(self, article_id: str, lang: str) -> ArticleVersion | None: ...
    def versions(self, article_id: str, lang: str) -> builtins.list[ArticleVersion]: ...
    def list(self, lang: str | None = None, published_only: bool = False) -> builtins.list[ArticleVersion]: ...

    def search(self, words: builtins.list[str], *, any_word: bool, lang: str | None, published_only: bool,
               limit: int) -> builtins.list[tuple[ArticleVersion, float]]:
        """Articles holding all ``words`` (or any, ranked by how many and where: a title counts more), best
        first with their score (higher is better); the last word also matches as a prefix."""
        ...


class QaStore(Protocol):
    """Quality evaluations (``domain.quality``): the current revision of each and every revision, with the
    agent's response to a revision; calibration sessions."""

    def add(self, evaluation: Evaluation) -> None: ...

    def revise(self, evaluation: Evaluation) -> bool:
        """Store ``evaluation`` as the next revision; False if the current one is not ``revision - 1``."""
        ...

    def respond(self, evaluation_id: str, revision: int, status: str, response: str | None, by: str,
                at: float) -> bool:
        """Set an open revision's status (acknowledged or disputed); False if it is not open or not current."""
        ...

    def get(self, evaluation_id: str) -> Evaluation | None: ...
    def revisions(self, evaluation_id: str) -> builtins.list[Evaluation]: ...

    def find(self, *, agent_id: str | None = None, contact_id: str | None = None, calibration_id: str | None = None,
             calibrations: bool = False, start: float | None = None, end: float | None = None,
             status: str | None = None, limit: int = 1000) -> builtins.list[Evaluation]:
        """Current revisions, by contact time; calibration evaluations only when ``calibrations`` or asked by id."""
        ...

    def add_calibration(self, calibration: Calibration) -> None: ...
    def calibration(self, calibration_id: str) -> Calibration | None: ...

    def calibrations(self, *, contact_id: str | None = None, start: float | None = None, end: float | None = None,
                     limit: int = 200) -> builtins.list[Calibration]:
        """Calibration sessions opened in [start, end) (of a contact), newest first."""
        ...

    def calibration_sheets(self, calibration_ids: Collection[str]) -> builtins.list[Evaluation]:
        """The evaluations (current revisions) scored in these calibration sessions."""
        ...


class ProblemReader(Protocol):
    """The problem projections: records (problem_id, title, status, rules, kb_article_id, crisis_id, workaround,
    resolution, opened/updated/resolved/closed times, seq) and their contact links (problem_id, contact_id,
    contact_at, customer_id, queue_id, channel, how, reason, linked_at/by, seq); links newest contact first."""

    def problem(self, problem_id: str) -> dict[str, Any] | None: ...

    def problems(self, status: str | None = None, crisis_id: str | None = None) -> builtins.list[dict[str, Any]]:
        """Records, newest first, each with ``contacts``: how many are linked."""
        ...

    def links(self, problem_id: str, start: float | None = None, end: float | None = None,
              limit: int | None = None, offset: int = 0) -> builtins.list[dict[str, Any]]: ...
    def count(self, problem_id: str) -> int: ...
    def problems_of_contact(self, contact_id: str) -> builtins.list[str]: ...


class KbUsage(Protocol):
    """Knowledge-base use (``domain.kb_figures``): anonymous help-centre sessions and their events (search, view,
    contact), and agents' uses of articles on contacts."""

    def start_session(self, session: HelpSession) -> None: ...
    def session(self, session_id: str) -> HelpSession | None: ...

    def event(self, session_id: str, at: float, kind: str, *, article_id: str | None = None, lang: str | None = None,
              category: str | None = None, ref: str | None = None) -> None: ...

    def use(self, use: ArticleUse) -> None: ...
    def uses_of(self, contact_id: str) -> builtins.list[ArticleUse]: ...

    def period(self, start: float, end: float) -> tuple[builtins.list[HelpSession], builtins.list[HelpView], int,
                                                        builtins.list[HelpContact], builtins.list[ArticleUse]]: ...
