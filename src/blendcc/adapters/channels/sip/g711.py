"""G.711 mu-law and A-law (ITU-T G.711) as lookup tables: decode to 16-bit PCM, encode, transcode."""

from __future__ import annotations

import array
import struct
import sys
from functools import cache

from blendcc.adapters.channels.sip.sdp import PCMA, PCMU

_SEG_UEND = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)
_SEG_AEND = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def ulaw_to_linear(u: int) -> int:
    u = ~u & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return (0x84 - t) if u & 0x80 else (t - 0x84)


def alaw_to_linear(a: int) -> int:
    a ^= 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    if seg == 0:
        t += 8
    else:
        t = (t + 0x108) << (seg - 1)
    return t if a & 0x80 else -t


def linear_to_ulaw(pcm: int) -> int:
    pcm >>= 2
    if pcm < 0:
        pcm, mask = -pcm, 0x7F
    else:
        mask = 0xFF
    pcm = min(pcm, 8159) + 0x21
    seg = next((i for i, end in enumerate(_SEG_UEND) if pcm <= end), 8)
    if seg >= 8:
        return 0x7F ^ mask
    return ((seg << 4) | ((pcm >> (seg + 1)) & 0x0F)) ^ mask


def linear_to_alaw(pcm: int) -> int:
    pcm >>= 3
    if pcm >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        pcm = -pcm - 1
    seg = next((i for i, end in enumerate(_SEG_AEND) if pcm <= end), 8)
    if seg >= 8:
        return 0x7F ^ mask
    aval = seg << 4
    aval |= ((pcm >> 1) if seg < 2 else (pcm >> seg)) & 0x0F
    return aval ^ mask


#: codec byte -> little-endian 16-bit sample (two bytes), per codec
DECODE: dict[int, tuple[bytes, ...]] = {
    PCMU: tuple(struct.pack("<h", ulaw_to_linear(i)) for i in range(256)),
    PCMA: tuple(struct.pack("<h", alaw_to_linear(i)) for i in range(256)),
}
SILENCE = {PCMU: 0xFF, PCMA: 0xD5}
#: bytes.translate tables converting one codec's bytes to the other's
TRANSCODE = {
    (PCMU, PCMA): bytes(linear_to_alaw(ulaw_to_linear(i)) for i in range(256)),
    (PCMA, PCMU): bytes(linear_to_ulaw(alaw_to_linear(i)) for i in range(256)),
}


#: codec byte -> the low and the high byte of its sample, as ``bytes.translate`` tables (decoding in C)
_LOW = {codec: bytes(t[i][0] for i in range(256)) for codec, t in DECODE.items()}
_HIGH = {codec: bytes(t[i][1] for i in range(256)) for codec, t in DECODE.items()}


def decode(codec: int, payload: bytes) -> bytes:
    """G.711 payload -> 16-bit little-endian PCM (two table translations interleaved: no Python loop)."""
    out = bytearray(2 * len(payload))
    out[0::2] = payload.translate(_LOW[codec])
    out[1::2] = payload.translate(_HIGH[codec])
    return bytes(out)


@cache
def _encode_table(codec: int) -> bytes:
    fn = linear_to_ulaw if codec == PCMU else linear_to_alaw
    return bytes(fn(s - 65536 if s >= 32768 else s) for s in range(65536))


def encode(codec: int, pcm: bytes) -> bytes:
    """16-bit little-endian PCM -> G.711 payload."""
    table = _encode_table(codec)
    samples = array.array("H", pcm[: len(pcm) // 2 * 2])  # unsigned: the table's index
    if sys.byteorder == "big":
        samples.byteswap()
    return bytes(map(table.__getitem__, samples))
