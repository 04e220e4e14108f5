"""Reading a file of a contact's thread for the agent: found through the contact's own messages, its bytes from
whichever channel's store holds them (web chat or email); a file of another contact is not found."""

from __future__ import annotations

from pathlib import Path

import pytest

from blendcc.adapters.channels.attachments import FileAttachmentStore
from blendcc.app.channels.agent_files import agent_file
from blendcc.domain import conversation_events as ce
from blendcc.domain.errors import NotFound
from blendcc.testing import MemoryStore


def test_a_file_is_read_from_the_store_that_holds_it_and_only_for_its_contact(tmp_path: Path) -> None:
    chat_files, mail_files = FileAttachmentStore(tmp_path / "chat"), FileAttachmentStore(tmp_path / "mail")
    in_mail = mail_files.put("invoice.pdf", "application/pdf", b"%PDF-1.7 invoice")
    in_chat = chat_files.put("meter.png", "image/png", b"\x89PNG meter")
    store = MemoryStore()
    store.append([
        ce.MessageReceived(at=1.0, contact_id="c-mail", message_id="m1", channel="email", channel_instance="support",
                           body="see attached", attachments=(in_mail,)),
        ce.MessageReceived(at=2.0, contact_id="c-chat", message_id="m2", channel="chat", channel_instance="default",
                           body="my meter", attachments=(in_chat,)),
    ])
    stores = [chat_files, None, mail_files]
    info, data = agent_file(store, stores, "c-mail", in_mail.id)
    assert (info["name"], info["media_type"], data) == ("invoice.pdf", "application/pdf", b"%PDF-1.7 invoice")
    assert agent_file(store, stores, "c-chat", in_chat.id)[1] == b"\x89PNG meter"
    with pytest.raises(NotFound):
        agent_file(store, stores, "c-chat", in_mail.id)  # another contact's file
    with pytest.raises(NotFound):
        agent_file(store, [chat_files], "c-mail", in_mail.id)  # no store holds its bytes
