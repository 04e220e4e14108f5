"""SDP (RFC 4566) for audio offer/answer (RFC 3264): PCMU, PCMA and telephone-event, hold directions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

PCMU, PCMA = 0, 8
CODECS = {PCMU: "PCMU", PCMA: "PCMA"}
DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
REVERSE = {"sendrecv": "sendrecv", "sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive"}


class SdpError(ValueError):
    """The body is not a usable audio SDP."""


@dataclass
class MediaDescription:
    address: str
    port: int
    payloads: list[int]
    rtpmap: dict[int, str] = field(default_factory=dict)
    direction: str = "sendrecv"

    @property
    def telephone_event(self) -> int | None:
        for pt, enc in self.rtpmap.items():
            if enc.lower().startswith("telephone-event/8000"):
                return pt
        return None

    @property
    def audio_codecs(self) -> list[int]:
        """Offered G.711 codecs, in the offer's order of preference."""
        out = []
        for pt in self.payloads:
            enc = self.rtpmap.get(pt, CODECS.get(pt, "")).split("/")[0].upper()
            if enc == "PCMU":
                out.append(PCMU)
            elif enc == "PCMA":
                out.append(PCMA)
        return out


def parse_sdp(body: bytes) -> MediaDescription:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SdpError("SDP is not UTF-8") from exc
    session_addr: str | None = None
    media: MediaDescription | None = None
    media_addr: str | None = None
    session_dir = "sendrecv"
    for raw in text.splitlines():
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        kind, value = line[0], line[2:]
        if kind == "c":
            parts = value.split()
            if len(parts) != 3 or parts[0] != "IN":
                raise SdpError("bad c= line")
            addr = parts[2].split("/")[0]
            if media is None:
                session_addr = addr
            else:
                media_addr = addr
        elif kind == "m":
            if media is not None:
                break  # first audio stream only
            parts = value.split()
            if len(parts) < 4 or parts[0] != "audio" or not parts[1].split("/")[0].isdigit():
                raise SdpError("no audio m= line")
            try:
                pts = [int(p) for p in parts[3:]]
            except ValueError as exc:
                raise SdpError("bad payload types") from exc
            media = MediaDescription("", int(parts[1].split("/")[0]), pts, direction=session_dir)
        elif kind == "a":
            name, _, arg = value.partition(":")
            if name in DIRECTIONS:
                if media is None:
                    session_dir = name
                else:
                    media.direction = name
            elif name == "rtpmap" and media is not None:
                pt, _, enc = arg.partition(" ")
                if pt.isdigit():
                    media.rtpmap[int(pt)] = enc.strip()
    if media is None:
        raise SdpError("no audio stream")
    address = media_addr or session_addr
    if address is None:
        raise SdpError("no connection address")
    media.address = address
    if address == "0.0.0.0" and media.direction == "sendrecv":
        media.direction = "sendonly"  # RFC 2543 hold
    return media


def build_sdp(address: str, port: int, codecs: list[int], telephone_event: int | None = 101,
              direction: str = "sendrecv", session_id: int | None = None, version: int = 1) -> bytes:
    sid = session_id if session_id is not None else secrets.randbelow(2**31)
    pts = list(codecs) + ([telephone_event] if telephone_event is not None else [])
    lines = ["v=0", f"o=blendcc {sid} {version} IN IP4 {address}", "s=blendcc", f"c=IN IP4 {address}", "t=0 0",
             f"m=audio {port} RTP/AVP {' '.join(str(p) for p in pts)}"]
    for c in codecs:
        lines.append(f"a=rtpmap:{c} {CODECS[c]}/8000")
    if telephone_event is not None:
        lines += [f"a=rtpmap:{telephone_event} telephone-event/8000", f"a=fmtp:{telephone_event} 0-16"]
    lines += ["a=ptime:20", f"a={direction}"]
    return ("\r\n".join(lines) + "\r\n").encode()


def answer(offer: MediaDescription, address: str, port: int, direction: str | None = None,
           session_id: int | None = None, version: int = 1) -> tuple[bytes, int, int | None]:
    """Our answer to ``offer``: (SDP, chosen codec, telephone-event payload type or None).

    Raises SdpError when the offer has neither PCMU nor PCMA (the caller answers 488)."""
    codecs = offer.audio_codecs
    if not codecs:
        raise SdpError("no common codec (PCMU or PCMA needed)")
    codec = codecs[0]
    te = offer.telephone_event
    d = direction or REVERSE[offer.direction]
    return build_sdp(address, port, [codec], te, d, session_id, version), codec, te
