"""The SMS opt-out list kept in the dialer's global do-not-call list, so calls and texts obey one list."""

from __future__ import annotations

import logging

from blendcc.dialer.dnc import GLOBAL, DncEntry, normalise
from blendcc.outbound_ports import DialerRepository
from blendcc.ports import Clock

log = logging.getLogger(__name__)

#: the reason of the DNC entries made by an SMS opt-out (START removes only these)
REASON_PREFIX = "sms opt-out"


class DncOptOuts:
    """STOP adds the number to the global DNC scope; START removes it again when an SMS opt-out put it
    there (a number on the list for another reason stays). A number on the global list gets no SMS."""

    def __init__(self, repo: DialerRepository, clock: Clock, region: str = "US"):
        self.repo = repo
        self.clock = clock
        self.region = region

    def e164(self, address: str) -> str | None:
        return normalise(address, self.region)

    def opted_out(self, address: str) -> bool:
        phone = self.e164(address)
        return phone is not None and phone in self.repo.dnc_numbers(GLOBAL)

    def opt_out(self, address: str, keyword: str, via: str) -> bool:
        phone = self.e164(address)
        if phone is None:
            log.warning("opt-out from %r ignored: not a phone number", address)
            return False
        added = self.repo.add_dnc([DncEntry(scope=GLOBAL, phone=phone, added_at=self.clock.now(),
                                            reason=f"{REASON_PREFIX} ({keyword.upper()} on {via})")]) > 0
        log.info("%s opted out (%s on %s)", phone, keyword.upper(), via)
        return added

    def opt_in(self, address: str) -> bool:
        phone = self.e164(address)
        if phone is None:
            return False
        entry = self._entry(phone)
        if entry is None:
            return False
        if not entry.reason.startswith(REASON_PREFIX):
            log.info("%s asked to opt in but is on the do-not-call list for another reason (%s); kept",
                     phone, entry.reason)
            return False
        log.info("%s opted back in", phone)
        return self.repo.remove_dnc(GLOBAL, phone)

    def _entry(self, phone: str) -> DncEntry | None:
        offset, page = 0, 5000
        while True:
            entries = self.repo.dnc_entries(GLOBAL, limit=page, offset=offset)
            for e in entries:
                if e.phone == phone:
                    return e
            if len(entries) < page:
                return None
            offset += page
