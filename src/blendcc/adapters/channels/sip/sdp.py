"""SDP (RFC 4566) offer/answer (RFC 3264) for G.711 audio: every m-line kept in the answer, others rejected."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

PCMU, PCMA = 0, 8
CODECS = {PCMU: "PCMU", PCMA: "PCMA"}
DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
REVERSE = {"sendrecv": "sendrecv", "sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive"}
AUDIO_PROTOS = ("RTP/AVP",)
#: SRTP (RFC 4568 SDES): an RTP/SAVP audio line counts only with an a=crypto of this suite (adapters...srtp)
SAVP, SDES_SUITE = "RTP/SAVP", "AES_CM_128_HMAC_SHA1_80"


class SdpError(ValueError):
    """The body is not a usable audio SDP."""


@dataclass
class Stream:
    """One m-line as offered: what an answer must repeat (rejected streams keep it with port 0)."""

    media: str
    port: int
    proto: str
    formats: list[str]


@dataclass
class MediaDescription:
    """The audio stream we use out of an SDP, plus every m-line of it (``streams``, ``index`` is ours)."""

    address: str
    port: int
    payloads: list[int]
    rtpmap: dict[int, str] = field(default_factory=dict)
    direction: str = "sendrecv"
    streams: list[Stream] = field(default_factory=list)
    index: int = 0
    proto: str = "RTP/AVP"
    #: the a=crypto values (after ``crypto:``) of an RTP/SAVP line
    crypto: list[str] = field(default_factory=list)

    @property
    def telephone_event(self) -> int | None:
        for pt, enc in self.rtpmap.items():
            if pt in self.payloads and enc.lower().startswith("telephone-event/8000"):
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


@dataclass
class _Section:
    stream: Stream
    address: str | None = None
    direction: str | None = None
    rtpmap: dict[int, str] = field(default_factory=dict)
    crypto: list[str] = field(default_factory=list)


def _m_line(value: str) -> Stream:
    parts = value.split()
    if len(parts) < 4 or not parts[1].split("/")[0].isdigit():
        raise SdpError("bad m= line")
    return Stream(parts[0].lower(), int(parts[1].split("/")[0]), parts[2], parts[3:])


def parse_sdp(body: bytes) -> MediaDescription:
    """Every m-line of ``body``; ours is the first RTP/AVP audio line with a G.711 codec (else the first audio)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SdpError("SDP is not UTF-8") from exc
    session_addr: str | None = None
    session_dir = "sendrecv"
    sections: list[_Section] = []
    for raw in text.splitlines():
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        kind, value = line[0], line[2:]
        cur = sections[-1] if sections else None
        if kind == "c":
            parts = value.split()
            if len(parts) != 3 or parts[0] != "IN":
                raise SdpError("bad c= line")
            addr = parts[2].split("/")[0]
            if cur is None:
                session_addr = addr
            else:
                cur.address = addr
        elif kind == "m":
            sections.append(_Section(_m_line(value)))
        elif kind == "a":
            name, _, arg = value.partition(":")
            if name in DIRECTIONS:
                if cur is None:
                    session_dir = name
                else:
                    cur.direction = name
            elif name == "rtpmap" and cur is not None:
                pt, _, enc = arg.partition(" ")
                if pt.isdigit():
                    cur.rtpmap[int(pt)] = enc.strip()
            elif name == "crypto" and cur is not None:
                cur.crypto.append(arg.strip())
    media = _pick(sections, session_addr, session_dir)
    if media.address == "0.0.0.0" and media.direction == "sendrecv":
        media.direction = "sendonly"  # RFC 2543 hold
    return media


def _pick(sections: list[_Section], session_addr: str | None, session_dir: str) -> MediaDescription:
    candidates: list[MediaDescription] = []
    for i, sec in enumerate(sections):
        st = sec.stream
        srtp = st.proto.upper() == SAVP and any(SDES_SUITE in c.upper() for c in sec.crypto)
        if st.media != "audio" or not (st.proto in AUDIO_PROTOS or srtp) or st.port == 0:
            continue
        if not all(f.isdigit() for f in st.formats):
            raise SdpError("bad payload types")
        address = sec.address or session_addr
        if address is None:
            raise SdpError("no connection address")
        candidates.append(MediaDescription(address, st.port, [int(f) for f in st.formats], sec.rtpmap,
                                           sec.direction or session_dir, [s.stream for s in sections], i,
                                           SAVP if srtp else st.proto, list(sec.crypto) if srtp else []))
    if not candidates:
        raise SdpError("no audio stream")
    return next((m for m in candidates if m.audio_codecs), candidates[0])


def build_sdp(address: str, port: int, codecs: list[int], telephone_event: int | None = 101,
              direction: str = "sendrecv", session_id: int | None = None, version: int = 1,
              streams: list[Stream] | None = None, index: int = 0, crypto: str | None = None) -> bytes:
    """Our SDP; with ``streams`` (an offer's m-lines) an answer: the same m-lines in the same order, ours
    at ``index`` and every other one rejected with port 0 (RFC 3264 section 6). ``crypto`` (an attribute
    value ``crypto:1 AES_CM_128_HMAC_SHA1_80 inline:...``): our audio line is RTP/SAVP with that key."""
    sid = session_id if session_id is not None else secrets.randbelow(2**31)
    pts = list(codecs) + ([telephone_event] if telephone_event is not None else [])
    lines = ["v=0", f"o=blendcc {sid} {version} IN IP4 {address}", "s=blendcc", f"c=IN IP4 {address}", "t=0 0"]
    for i, st in enumerate(streams or [Stream("audio", port, "RTP/AVP", [])]):
        if streams and i != index:
            lines.append(f"m={st.media} 0 {st.proto} {' '.join(st.formats)}")
            continue
        lines.append(f"m=audio {port} {SAVP if crypto else 'RTP/AVP'} {' '.join(str(p) for p in pts)}")
        lines += [f"a=rtpmap:{c} {CODECS[c]}/8000" for c in codecs]
        if telephone_event is not None:
            lines += [f"a=rtpmap:{telephone_event} telephone-event/8000", f"a=fmtp:{telephone_event} 0-16"]
        if crypto:
            lines.append(f"a={crypto}")
        lines += ["a=ptime:20", f"a={direction}"]
    return ("\r\n".join(lines) + "\r\n").encode()


def answer(offer: MediaDescription, address: str, port: int, direction: str | None = None,
           session_id: int | None = None, version: int = 1,
           crypto: str | None = None) -> tuple[bytes, int, int | None]:
    """Our answer to ``offer``: (SDP, chosen codec, telephone-event payload type or None); ``crypto``: our
    SDES key for an RTP/SAVP offer (see ``build_sdp``).

    Raises SdpError when the offer has neither PCMU nor PCMA (the caller answers 488)."""
    codecs = offer.audio_codecs
    if not codecs:
        raise SdpError("no common codec (PCMU or PCMA needed)")
    codec = codecs[0]
    te = offer.telephone_event
    d = direction or REVERSE[offer.direction]
    return build_sdp(address, port, [codec], te, d, session_id, version, offer.streams, offer.index,
                     crypto), codec, te


def session_id(sdp: bytes) -> int | None:
    """The session id of an SDP's o= line."""
    for line in sdp.decode(errors="replace").splitlines():
        if line.startswith("o="):
            parts = line.split()
            if len(parts) >= 3 and parts[1].isdigit():
                return int(parts[1])
    return None


def reanswer(ours: bytes, offer: MediaDescription, version: int) -> tuple[bytes, int, int | None]:
    """The answer to a new offer inside a session (re-INVITE, UPDATE): our address and port from our last
    SDP, its session id, ``version``; the codec chosen afresh from the new offer (SdpError: none we can use)."""
    mine = parse_sdp(ours)
    crypto = f"crypto:{mine.crypto[0]}" if mine.crypto else None  # an SRTP call keeps our key
    return answer(offer, mine.address, mine.port, None, session_id(ours), version, crypto)
