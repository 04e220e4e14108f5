"""The messages projection: each inbound and outbound message's contact, channel and provider id."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, update

from blendcc.adapters.storage.message_tables import messages
from blendcc.domain import conversation_events as ce
from blendcc.domain.events import Event
from blendcc.ports import StoredEvent

if TYPE_CHECKING:
    from blendcc.adapters.storage.projectors import MemoryTables, SqlTx

INBOUND, OUTBOUND = "inbound", "outbound"


@dataclass(slots=True)
class MemoryMessages:
    """The memory half: rows by message id and the (direction, channel, instance, provider id) index."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_provider: dict[tuple[str, str, str, str], tuple[str, str]] = field(default_factory=dict)


class MessageIndex:
    """``messages``: MessageReceived and MessageSent add a row; a MessageDeliveryUpdated that carries the
    provider's id (the provider accepted the message) records it on the outbound row."""

    name = "messages"
    event_types: frozenset[type[Event]] = frozenset({ce.MessageReceived, ce.MessageSent, ce.MessageDeliveryUpdated})

    @staticmethod
    def _fold(batch: Sequence[StoredEvent]) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """New rows, and provider ids learnt for outbound messages (message id -> provider id)."""
        rows: list[dict[str, Any]] = []
        provider_ids: dict[str, str] = {}
        for s in batch:
            e = s.event
            if isinstance(e, ce.MessageReceived):
                rows.append({"message_id": e.message_id, "contact_id": e.contact_id, "direction": INBOUND,
                             "channel": e.channel, "channel_instance": e.channel_instance,
                             "provider_message_id": e.provider_message_id, "at": e.at})
            elif isinstance(e, ce.MessageSent):
                rows.append({"message_id": e.message_id, "contact_id": e.contact_id, "direction": OUTBOUND,
                             "channel": e.channel, "channel_instance": e.channel_instance,
                             "provider_message_id": None, "at": e.at})
            elif isinstance(e, ce.MessageDeliveryUpdated) and e.provider_message_id:
                provider_ids[e.message_id] = e.provider_message_id
        return rows, provider_ids

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        rows, provider_ids = self._fold(batch)
        conn: Connection = tx.conn
        if rows:
            conn.execute(messages.insert(), rows)
        for message_id, pid in provider_ids.items():
            conn.execute(update(messages).where(messages.c.message_id == message_id,
                                                messages.c.direction == OUTBOUND)
                         .values(provider_message_id=pid))

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        rows, provider_ids = self._fold(batch)
        mem = memory_messages(tables)
        duplicated = [r["message_id"] for r in rows if r["message_id"] in mem.rows]
        if duplicated or len({r["message_id"] for r in rows}) != len(rows):
            raise ValueError(f"message {duplicated[0] if duplicated else 'id'} stored twice")

        def write() -> None:
            for r in rows:
                mem.rows[r["message_id"]] = r
                if r["provider_message_id"]:
                    key = (r["direction"], r["channel"], r["channel_instance"], r["provider_message_id"])
                    mem.by_provider.setdefault(key, (r["contact_id"], r["message_id"]))
            for message_id, pid in provider_ids.items():
                row = mem.rows.get(message_id)
                if row is not None and row["direction"] == OUTBOUND:
                    row["provider_message_id"] = pid
                    key = (OUTBOUND, row["channel"], row["channel_instance"], pid)
                    mem.by_provider.setdefault(key, (row["contact_id"], message_id))

        return write


def memory_messages(tables: MemoryTables) -> MemoryMessages:
    mem = tables.extra.get(MessageIndex.name)
    if mem is None:
        mem = tables.extra[MessageIndex.name] = MemoryMessages()
    assert isinstance(mem, MemoryMessages)
    return mem


def sql_find(conn: Connection, direction: str, channel: str, instance: str, provider_id: str) -> tuple[str, str] | None:
    """(contact id, message id) of the first message with ``provider_id`` on that channel instance."""
    row = conn.execute(
        select(messages.c.contact_id, messages.c.message_id)
        .where(messages.c.channel == channel, messages.c.channel_instance == instance,
               messages.c.provider_message_id == provider_id, messages.c.direction == direction)
        .order_by(messages.c.at).limit(1)).first()
    return (row.contact_id, row.message_id) if row is not None else None


def memory_find(tables: MemoryTables, direction: str, channel: str, instance: str,
                provider_id: str) -> tuple[str, str] | None:
    return memory_messages(tables).by_provider.get((direction, channel, instance, provider_id))
