"""Customer identity kinds (phone, email, chat id, social handle) and their canonical form for matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers


class IdentityKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    SOCIAL = "social"


_NON_DIGITS = re.compile(r"[^\d]")

#: social providers whose handle is the customer's phone number (normalised to E.164 like a phone)
PHONE_HANDLE_PROVIDERS = frozenset({"whatsapp"})


def normalise_phone(value: str, region: str | None = None) -> str:
    """E.164 for an international number ``phonenumbers`` finds possible ('+44 20 7946 0000', '0044 20...')
    or a valid national number of ``region`` ('020 7946 0000' with GB); otherwise the digits (with '+'
    kept), so short codes and odd caller ids still match themselves."""
    value = value.strip()
    text = "+" + value[2:] if value.startswith("00") else value
    try:
        international = text.startswith("+")
        number = phonenumbers.parse(text, None if international else region)
        # a national number must be a valid one of the region (else '12345' would become '+4412345')
        if phonenumbers.is_possible_number(number) and (international or phonenumbers.is_valid_number(number)):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = _NON_DIGITS.sub("", text)
    return "+" + digits if text.startswith("+") else digits


def normalise_social(value: str) -> str:
    """``provider:handle`` with the provider lower-cased; a WhatsApp handle (the sender's number, which
    the Cloud API gives without '+') in E.164."""
    value = value.strip()
    provider, sep, handle = value.partition(":")
    if not sep:
        return value
    provider, handle = provider.strip().lower(), handle.strip()
    if provider in PHONE_HANDLE_PROVIDERS and handle:
        handle = normalise_phone(handle if handle.startswith("+") else "+" + handle)
    return f"{provider}:{handle}"


def normalise_identity(kind: IdentityKind, value: str, region: str | None = None) -> str:
    """Canonical form of an identity so that '+44 20 7946 0000' and '+442079460000' match. ``region``:
    the ISO 3166 region of national phone numbers (those without a country code). Email addresses are
    trimmed and lower-cased only (no provider-specific rules such as dropping dots)."""
    value = value.strip()
    if kind is IdentityKind.PHONE:
        return normalise_phone(value, region)
    if kind is IdentityKind.EMAIL:
        return value.lower()
    if kind is IdentityKind.SOCIAL:
        return normalise_social(value)
    return value


class CrmUnavailable(Exception):
    """The CRM lookup failed (timeout, error status, no JSON): the screen pop goes on without CRM data."""


@dataclass(frozen=True, slots=True)
class NewCustomer:
    """A customer first seen with a contact: stored by the single writer in the same transaction as the
    contact's events (one commit, not two; ADR 0060). ``identities`` are (kind, normalised value) pairs."""

    customer_id: str
    identities: tuple[tuple[str, str], ...]
    tier: str
    name: str
    at: float
