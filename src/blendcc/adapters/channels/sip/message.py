"""SIP messages (RFC 3261 section 7): parsing with header folding and compact forms, serialisation, helpers."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

COMPACT = {"v": "Via", "f": "From", "t": "To", "i": "Call-ID", "m": "Contact", "l": "Content-Length",
           "c": "Content-Type", "k": "Supported", "s": "Subject", "e": "Content-Encoding", "o": "Event",
           "r": "Refer-To", "b": "Referred-By", "u": "Allow-Events", "x": "Session-Expires"}
CANONICAL = {n.lower(): n for n in ("Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Length",
                                    "Content-Type", "Max-Forwards", "Route", "Record-Route", "Allow",
                                    "Supported", "User-Agent", "Server", "Expires", "WWW-Authenticate",
                                    "Authorization", "Proxy-Authenticate", "Proxy-Authorization", "Subject",
                                    "Event", "Refer-To", "Referred-By", "Require", "Unsupported", "Accept",
                                    "Content-Encoding", "Allow-Events", "Session-Expires", "Min-Expires",
                                    "Retry-After", "Reason", "Warning", "Date", "Timestamp", "RSeq", "RAck")}
#: headers whose value may be a comma-separated list that we split into separate values
MULTI = {"Via", "Contact", "Route", "Record-Route"}
METHODS = {"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "INFO", "UPDATE", "PRACK", "REFER",
           "NOTIFY", "SUBSCRIBE", "MESSAGE"}
REASONS = {100: "Trying", 180: "Ringing", 183: "Session Progress", 200: "OK", 202: "Accepted",
           400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 408: "Request Timeout", 415: "Unsupported Media Type",
           420: "Bad Extension", 480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist",
           482: "Loop Detected", 486: "Busy Here",
           487: "Request Terminated", 488: "Not Acceptable Here", 491: "Request Pending",
           500: "Server Internal Error", 501: "Not Implemented", 503: "Service Unavailable",
           505: "Version Not Supported", 603: "Decline"}
_TOKEN = re.compile(r"^[A-Za-z0-9.!%*_+`'~\-]+$")
MAX_MESSAGE = 65535


class SipParseError(ValueError):
    """The datagram is not a well-formed SIP message."""


class SipVersionError(SipParseError):
    """A request in a SIP version other than 2.0 (answered 505 Version Not Supported, RFC 3261 21.5.7)."""


@dataclass
class SipMessage:
    """A request (``method`` set) or a response (``status`` set) with ordered headers and a body."""

    method: str | None = None
    uri: str | None = None
    status: int | None = None
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return self.method is not None

    def get(self, name: str, default: str | None = None) -> str | None:
        name = canonical(name)
        for k, v in self.headers:
            if k == name:
                return v
        return default

    def get_all(self, name: str) -> list[str]:
        name = canonical(name)
        return [v for k, v in self.headers if k == name]

    def set(self, name: str, value: str) -> None:
        name = canonical(name)
        self.headers = [(k, v) for k, v in self.headers if k != name]
        self.headers.append((name, value))

    def add(self, name: str, value: str, first: bool = False) -> None:
        if first:
            self.headers.insert(0, (canonical(name), value))
        else:
            self.headers.append((canonical(name), value))

    def remove(self, name: str) -> None:
        name = canonical(name)
        self.headers = [(k, v) for k, v in self.headers if k != name]

    # --- common header views
    @property
    def call_id(self) -> str:
        return self.get("Call-ID") or ""

    @property
    def cseq(self) -> tuple[int, str]:
        num, _, method = (self.get("CSeq") or "").partition(" ")
        return int(num), method.strip()

    @property
    def top_via(self) -> Via:
        return Via.parse(self.get("Via") or "")

    @property
    def from_tag(self) -> str | None:
        return param(self.get("From") or "", "tag")

    @property
    def to_tag(self) -> str | None:
        return param(self.get("To") or "", "tag")

    def encode(self) -> bytes:
        if self.method is not None:
            first = f"{self.method} {self.uri} SIP/2.0"
        else:
            first = f"SIP/2.0 {self.status} {self.reason or REASONS.get(self.status or 0, 'Unknown')}"
        lines = [first]
        for k, v in self.headers:
            if k != "Content-Length":
                lines.append(f"{k}: {v}")
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


def canonical(name: str) -> str:
    n = name.strip()
    low = n.lower()
    if low in COMPACT:
        return COMPACT[low]
    return CANONICAL.get(low, "-".join(p.capitalize() for p in low.split("-")))


def _split_commas(value: str) -> list[str]:
    """Split a header value on commas that are outside quotes and angle brackets."""
    parts: list[str] = []
    buf: list[str] = []
    quoted = angle = False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif ch == "<" and not quoted:
            angle = True
        elif ch == ">" and not quoted:
            angle = False
        if ch == "," and not quoted and not angle:
            parts.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf).strip())
    return [p for p in parts if p]


def parse(data: bytes) -> SipMessage:
    """Parse one datagram; raise SipParseError on anything malformed (never another exception)."""
    if len(data) > MAX_MESSAGE:
        raise SipParseError("message too large")
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = data.partition(b"\n\n")
        if not sep:
            raise SipParseError("no blank line after the headers")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SipParseError("headers are not UTF-8") from exc
    raw_lines = text.replace("\r\n", "\n").split("\n")
    while raw_lines and not raw_lines[0].strip():  # RFC 3261 7.5: ignore leading CRLFs
        raw_lines.pop(0)
    if not raw_lines:
        raise SipParseError("empty message")
    msg = SipMessage()
    first = raw_lines[0].strip()
    parts = first.split(" ", 2)
    if len(parts) < 2:
        raise SipParseError("bad start line")
    if parts[0] == "SIP/2.0":
        if not parts[1].isdigit() or len(parts[1]) != 3:
            raise SipParseError("bad status code")
        msg.status = int(parts[1])
        if not 100 <= msg.status <= 699:
            raise SipParseError("status code out of range")
        msg.reason = parts[2] if len(parts) > 2 else ""
    elif parts[0].upper().startswith("SIP/"):
        raise SipParseError("response in another SIP version")
    else:
        if len(parts) == 3 and parts[2] != "SIP/2.0" and parts[2].upper().startswith("SIP/"):
            raise SipVersionError(f"{parts[2][:10]} is not supported")
        if len(parts) != 3 or parts[2] != "SIP/2.0" or not _TOKEN.match(parts[0]) or not parts[1]:
            raise SipParseError("bad request line")
        msg.method, msg.uri = parts[0].upper(), parts[1]
    # unfold continuation lines (RFC 3261 7.3.1)
    lines: list[str] = []
    for line in raw_lines[1:]:
        if line[:1] in (" ", "\t"):
            if not lines:
                raise SipParseError("continuation line before any header")
            lines[-1] += " " + line.strip()
        elif line:
            lines.append(line)
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or not _TOKEN.match(name.strip()):
            raise SipParseError(f"bad header line {line[:40]!r}")
        cname = canonical(name)
        value = value.strip()
        if cname in MULTI and "," in value:
            for v in _split_commas(value):
                msg.headers.append((cname, v))
        else:
            msg.headers.append((cname, value))
    for required in ("Via", "From", "To", "Call-ID", "CSeq"):
        if msg.get(required) is None:
            raise SipParseError(f"missing {required}")
    cseq = (msg.get("CSeq") or "").split()
    if len(cseq) != 2 or not cseq[0].isdigit() or int(cseq[0]) >= 2**31:
        raise SipParseError("bad CSeq")
    if msg.method is not None and cseq[1].upper() != msg.method:
        raise SipParseError("CSeq method does not match the request")
    length = msg.get("Content-Length")
    if length is not None:
        if not length.isdigit():
            raise SipParseError("bad Content-Length")
        n = int(length)
        if n > len(body):
            raise SipParseError("body shorter than Content-Length")
        body = body[:n]
    msg.body = body
    return msg


@dataclass
class Via:
    transport: str
    host: str
    port: int
    params: dict[str, str | None]

    @property
    def branch(self) -> str | None:
        return self.params.get("branch")

    @classmethod
    def parse(cls, value: str) -> Via:
        proto, _, rest = value.strip().partition(" ")
        sent_by, *params = rest.strip().split(";")
        host, _, port = sent_by.strip().rpartition(":") if sent_by.count(":") == 1 else (sent_by.strip(), "", "")
        if not host:
            host = sent_by.strip()
        p: dict[str, str | None] = {}
        for item in params:
            k, eq, v = item.strip().partition("=")
            if k:
                p[k.lower()] = v if eq else None
        return cls(proto.rpartition("/")[2].upper(), host, int(port) if port.isdigit() else 5060, p)


def param(value: str, name: str) -> str | None:
    """A header parameter (after the name-addr): ``;tag=abc`` -> ``abc``."""
    rest = value.rpartition(">")[2] if ">" in value else value
    for item in rest.split(";")[1:]:
        k, _, v = item.strip().partition("=")
        if k.lower() == name:
            return v.strip()
    return None


def uri_of(value: str) -> str:
    """The URI of a name-addr / addr-spec header value."""
    if "<" in value:
        return value.partition("<")[2].partition(">")[0].strip()
    return value.split(";", maxsplit=1)[0].strip()


def display_name(value: str) -> str | None:
    if "<" not in value:
        return None
    name = value.partition("<")[0].strip().strip('"').strip()
    return name or None


def uri_user(uri: str) -> str | None:
    """``sip:alice@example.com;transport=udp`` -> ``alice``."""
    u = uri.partition(":")[2] if uri.lower().startswith(("sip:", "sips:", "tel:")) else uri
    if uri.lower().startswith("tel:"):
        return u.split(";")[0] or None
    if "@" not in u:
        return None
    return u.partition("@")[0].split(";")[0] or None


def uri_hostport(uri: str) -> tuple[str, int] | None:
    u = uri.partition(":")[2] if ":" in uri else uri
    u = u.rpartition("@")[2].split(";")[0].split("?")[0]
    host, _, port = u.partition(":")
    if not host:
        return None
    return host, int(port) if port.isdigit() else 5060


def new_branch() -> str:
    return "z9hG4bK" + secrets.token_hex(8)


def new_tag() -> str:
    return secrets.token_hex(6)


def response(req: SipMessage, status: int, reason: str = "", to_tag: str | None = None,
             body: bytes = b"", extra: list[tuple[str, str]] | None = None) -> SipMessage:
    """A response to ``req`` copying Via, From, To (adding our tag), Call-ID and CSeq (RFC 3261 8.2.6)."""
    resp = SipMessage(status=status, reason=reason or REASONS.get(status, ""))
    for v in req.get_all("Via"):
        resp.add("Via", v)
    resp.add("From", req.get("From") or "")
    to = req.get("To") or ""
    if to_tag and param(to, "tag") is None and status != 100:
        to = f"{to};tag={to_tag}"
    resp.add("To", to)
    resp.add("Call-ID", req.call_id)
    resp.add("CSeq", req.get("CSeq") or "")
    for rr in req.get_all("Record-Route") if 100 < status < 300 else ():  # dialog-making answers (12.1.1)
        resp.add("Record-Route", rr)
    for k, v in extra or ():
        resp.add(k, v)
    if body:
        resp.add("Content-Type", "application/sdp")
    resp.body = body
    return resp
