"""TOTP second factor (RFC 6238, 30 s steps, 6 digits): secrets, provisioning URIs, code checks on a given time."""

from __future__ import annotations

import hmac

import pyotp

STEP_S = 30
#: Codes of the previous and next step are accepted too (phone clocks drift).
WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app scans (as a QR code) or imports."""
    return pyotp.TOTP(secret, interval=STEP_S).provisioning_uri(name=username, issuer_name=issuer)


def code_at(secret: str, at: float) -> str:
    return pyotp.TOTP(secret, interval=STEP_S).at(int(at))


def matching_step(secret: str, code: str, at: float, after_step: int) -> int | None:
    """The time step whose code is ``code`` (within WINDOW steps of ``at``), if it is later than
    ``after_step`` (a code is never accepted twice); else None."""
    code = code.strip()
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_S)
    now_step = int(at) // STEP_S
    found = None
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_S), code) and step > after_step:
            found = step
    return found
