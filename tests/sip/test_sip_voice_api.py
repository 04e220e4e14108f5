"""Voicemail over the API: messages listed from the log's VoicemailLeft events, downloaded, bad names refused."""

from __future__ import annotations

import json
import wave
from pathlib import Path
from typing import Any

from blendcc.domain.events import RecordingStored, VoicemailLeft


def test_voicemail_listed_downloaded_and_bad_names_refused(centre: Any, tmp_path: Path) -> None:
    from blendcc.bootstrap.voice import VoiceStack
    from blendcc.config import Settings

    settings = Settings(database_url="sqlite://", admin_password="x-admin-pw", secret_key="k", sip_enabled=True,
                        sip_port=0, recording_dir=str(tmp_path / "rec"))
    stack = VoiceStack(centre.container, settings)
    centre.container.voice = stack
    try:
        centre.error("GET", "/api/voice/voicemail", 401, user=None)
        assert centre.get("/api/voice/voicemail", "sup") == []
        box = tmp_path / "rec" / "voicemail" / "sales"
        box.mkdir(parents=True)
        with wave.open(str(box / "v1.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(bytes(2 * 8000 * 2))
        # a side file alone lists nothing: the log is the record
        (box / "v2.json").write_text(json.dumps({"contact_id": "v2", "mailbox": "sales", "caller_id": "+4421"}))
        assert centre.get("/api/voice/voicemail", "sup") == []
        uri = "voicemail/sales/v1.wav"
        centre.container.runtime.execute(lambda _e, now: [
            RecordingStored(at=now, contact_id="v1", recording_id="v1.wav", uri=uri, duration_s=2.0, kind="voicemail"),
            VoicemailLeft(at=now, contact_id="v1", mailbox="sales", recording_id="v1.wav", uri=uri, duration_s=2.0,
                          caller_id="+4420", dialled="0800", max_seconds=60.0, ivr={"menu": "2"})])
        [msg] = centre.get("/api/voice/voicemail?mailbox=sales", "sup")
        assert msg["caller_id"] == "+4420" and msg["url"] == "/api/voice/voicemail/sales/v1.wav"
        assert msg["seconds"] == 2.0 and msg["ivr"] == {"menu": "2"} and msg["file"] == uri
        assert [s.event.type for s in centre.container.store.contact_events("v1")] == ["RecordingStored",
                                                                                       "VoicemailLeft"]
        assert centre.get("/api/voice/voicemail?mailbox=other", "sup") == []
        r = centre.client.get(msg["url"], headers=centre.headers("sup"))
        assert r.status_code == 200 and r.headers["content-type"] == "audio/wav" and len(r.content) == 44 + 32000
        [rec] = stack.voice.recordings("v1")  # with the call's other recordings (the route runs it on the SIP loop)
        assert rec["kind"] == "voicemail" and rec["file"] == "voicemail/sales/v1.wav" and rec["seconds"] == 2.0
        centre.error("GET", "/api/voice/voicemail/sales/v2.wav", 404, user="sup")
        centre.error("GET", "/api/voice/voicemail/sales/..%2F..%2Fv1.wav", 404, user="sup")
        centre.error("GET", "/api/voice/voicemail/sales/v1.json", 404, user="sup")
    finally:
        centre.container.voice = None
        stack.close()
