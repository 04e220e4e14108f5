"""SRTP with SDES keys (RFC 3711, RFC 4568 ``a=crypto``): AES_CM_128_HMAC_SHA1_80 through libsrtp (pylibsrtp).

One ``SrtpContext`` per RTP endpoint: ``unprotect`` what the peer sends with the peer's key (from its SDP),
``protect`` what we send with our own key (in our SDP). Packets that fail authentication or replay checks
are dropped (``unprotect`` returns None) and counted.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass

from pylibsrtp import Error as LibSrtpError
from pylibsrtp import Policy, Session

SUITE = "AES_CM_128_HMAC_SHA1_80"
KEY_LEN = 30  # 16-byte master key + 14-byte master salt (RFC 4568 6.2.1)
SAVP = "RTP/SAVP"
_INLINE = re.compile(r"^inline:([A-Za-z0-9+/=]+)(\|[^\s]*)?$")


class SdesError(ValueError):
    """An ``a=crypto`` line we cannot use (unknown suite, bad key, session parameters)."""


@dataclass(frozen=True)
class Crypto:
    """One ``a=crypto`` attribute: tag, suite, master key + salt."""

    tag: int
    suite: str
    key: bytes

    def attribute(self) -> str:
        """The SDP attribute value (after ``a=``)."""
        return f"crypto:{self.tag} {self.suite} inline:{base64.b64encode(self.key).decode()}"


def parse_crypto(value: str) -> Crypto:
    """``1 AES_CM_128_HMAC_SHA1_80 inline:<base64>[|lifetime][|MKI:len]`` (the part after ``a=crypto:``)."""
    parts = value.split()
    if len(parts) < 3 or not parts[0].isdigit():
        raise SdesError("bad a=crypto line")
    if len(parts) > 3:
        raise SdesError("SDES session parameters are not supported")
    m = _INLINE.match(parts[2].split(";")[0])
    if m is None:
        raise SdesError("a=crypto key is not inline")
    if m.group(2) and ":" in m.group(2):
        raise SdesError("MKI is not supported")
    try:
        key = base64.b64decode(m.group(1), validate=True)
    except ValueError as exc:
        raise SdesError("a=crypto key is not base64") from exc
    if len(key) != KEY_LEN:
        raise SdesError(f"a=crypto key must be {KEY_LEN} bytes")
    return Crypto(int(parts[0]), parts[1].upper(), key)


def choose(offered: list[str]) -> Crypto | None:
    """The first offered ``a=crypto`` value we support (its tag is echoed in the answer); None when none is."""
    for value in offered:
        try:
            c = parse_crypto(value)
        except SdesError:
            continue
        if c.suite == SUITE:
            return c
    return None


def new_crypto(tag: int = 1) -> Crypto:
    """Our own fresh master key and salt."""
    return Crypto(tag, SUITE, secrets.token_bytes(KEY_LEN))


class SrtpContext:
    """Protects what one endpoint sends (our key) and unprotects what it receives (the peer's key)."""

    def __init__(self, local: Crypto, remote: Crypto):
        self.local = local
        self.remote = remote
        self._tx = Session(Policy(key=local.key, ssrc_type=Policy.SSRC_ANY_OUTBOUND,
                                  srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80))
        self._rx = Session(Policy(key=remote.key, ssrc_type=Policy.SSRC_ANY_INBOUND,
                                  srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80))
        self.rejected = 0

    def protect(self, rtp: bytes) -> bytes | None:
        """The packet encrypted and authenticated; None when libsrtp refuses it (a sequence number reused)."""
        try:
            return bytes(self._tx.protect(rtp))
        except LibSrtpError:
            return None

    def unprotect(self, srtp: bytes) -> bytes | None:
        try:
            return bytes(self._rx.unprotect(srtp))
        except LibSrtpError:
            self.rejected += 1
            return None


__all__ = ["KEY_LEN", "SAVP", "SUITE", "Crypto", "SdesError", "SrtpContext", "choose", "new_crypto",
           "parse_crypto"]
