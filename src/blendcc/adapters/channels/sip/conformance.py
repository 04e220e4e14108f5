"""Pure RFC 3261 checks on a request before it is handled: extensions, encodings and how each method is answered."""

from __future__ import annotations

from dataclasses import dataclass

from blendcc.adapters.channels.sip.message import SipMessage

#: the methods we handle (the Allow header); SUBSCRIBE, NOTIFY, MESSAGE and PUBLISH are known, not allowed
ALLOW = ("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "INFO", "UPDATE", "REFER", "PRACK")
#: option tags we implement (a Require naming any other gets 420)
SUPPORTED: frozenset[str] = frozenset({"100rel"})  # RFC 3262 (prack.py)
#: methods known to us (RFC 3261, 3262, 3265/6665, 3311, 3428, 3515, 3903, 6086) that we do not accept
KNOWN_NOT_ALLOWED = ("SUBSCRIBE", "MESSAGE", "PUBLISH")
#: methods that only make sense inside a dialog (without one: 481)
DIALOG_ONLY = ("BYE", "UPDATE", "INFO", "PRACK", "NOTIFY", "REFER")


@dataclass(frozen=True)
class Rejection:
    status: int
    extra: tuple[tuple[str, str], ...] = ()
    reason: str = ""


def _tokens(values: list[str]) -> list[str]:
    return [t.strip() for v in values for t in v.split(",") if t.strip()]


def unsupported(req: SipMessage, supported: frozenset[str] = SUPPORTED) -> list[str]:
    """Option tags in Require that we do not implement, in order, once each (ignored on ACK and CANCEL,
    RFC 3261 8.2.2.3)."""
    if req.method in ("ACK", "CANCEL"):
        return []
    out: list[str] = []
    for tag in _tokens(req.get_all("Require")):
        if tag.lower() not in supported and tag not in out:
            out.append(tag)
    return out


def precheck(req: SipMessage, supported: frozenset[str] = SUPPORTED) -> Rejection | None:
    """The answer to a request we must refuse before looking at what it asks (RFC 3261 8.2.2.3 and 8.2.3):
    420 with Unsupported for an unknown Require option tag, 415 with Accept-Encoding for a body in an
    encoding other than identity. None: go on."""
    tags = unsupported(req, supported)
    if tags:
        return Rejection(420, (("Unsupported", ", ".join(tags)),))
    if req.method in ("ACK", "CANCEL"):
        return None
    encodings = [e.lower() for e in _tokens(req.get_all("Content-Encoding"))]
    if req.body and any(e != "identity" for e in encodings):
        return Rejection(415, (("Accept-Encoding", "identity"), ("Accept", "application/sdp")))
    return None


def method_status(method: str, in_dialog: bool) -> Rejection | None:
    """How a request we do not otherwise handle is answered; None for the methods we handle ourselves.

    PRACK reaching here matches no outstanding reliable provisional response (the dialog handles those,
    prack.py), so 481 (RFC 3262 section 3). NOTIFY: we hold no subscription, so 481 in a dialog (RFC 6665 4.1.3).
    SUBSCRIBE, MESSAGE, PUBLISH: 405 with Allow. Dialog-only methods outside a dialog: 481.
    Anything else unknown: 501 (RFC 3261 8.2.1)."""
    allow = (("Allow", ", ".join(ALLOW)),)
    if method == "PRACK":
        return Rejection(481, reason="No Reliable Provisional Response Outstanding")
    if method in KNOWN_NOT_ALLOWED:
        return Rejection(405, allow)
    if method == "NOTIFY":
        return Rejection(481, reason="Subscription Does Not Exist") if in_dialog else Rejection(405, allow)
    if method in ALLOW:
        if not in_dialog and method in DIALOG_ONLY:
            return Rejection(481)
        return None
    return Rejection(501, allow)
