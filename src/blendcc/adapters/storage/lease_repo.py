"""The routing leader's lease on PostgreSQL: acquire (the token goes up by one), renew, release, read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

from blendcc.adapters.storage.lease_tables import leases as lease_table

#: the database's own clock (seconds since the epoch), so nodes' clocks never have to agree
_NOW = "extract(epoch from clock_timestamp())"

_ENSURE = text("INSERT INTO leases (name, holder, address, token, expires_at) VALUES (:name, '', '', 0, 0) "
               "ON CONFLICT (name) DO NOTHING")
_ACQUIRE = text(f"UPDATE leases SET holder = :holder, address = :address, token = token + 1, "
                f"expires_at = {_NOW} + :ttl WHERE name = :name AND expires_at < {_NOW} RETURNING token")
_RENEW = text(f"UPDATE leases SET expires_at = {_NOW} + :ttl, address = :address "
              "WHERE name = :name AND holder = :holder AND token = :token RETURNING token")
_RELEASE = text("UPDATE leases SET expires_at = 0 WHERE name = :name AND holder = :holder AND token = :token")
_READ = text(f"SELECT holder, address, token, expires_at - {_NOW} AS left_s FROM leases WHERE name = :name")


@dataclass(frozen=True, slots=True)
class LeaseState:
    """Who holds the lease now (``holder`` empty: nobody ever did), its token and seconds left."""

    holder: str
    address: str
    token: int
    left_s: float


class SqlLease:
    """A named lease in the ``leases`` table (PostgreSQL). Acquisition takes an expired (or never held)
    lease and increments its fencing token in the same statement; renewal extends it only while the row
    still carries this holder's token, so a node that lost the lease (paused past its expiry while another
    took it) cannot renew it back. Expiry uses the database's clock."""

    def __init__(self, engine: Engine, name: str = "routing", *, lock_timeout_s: float = 5.0) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the routing lease needs PostgreSQL (several nodes share one database)")
        self.engine = engine
        self.name = name
        assert lease_table.name == "leases"
        #: an acquisition or renewal waits at most this long for the row (appends hold it FOR SHARE briefly)
        self._lock_timeout = text(f"SET LOCAL lock_timeout = {max(1, int(lock_timeout_s * 1000))}")

    def acquire(self, holder: str, address: str, ttl_s: float) -> int | None:
        """The new fencing token if ``holder`` now holds the lease, else None (someone else holds it)."""
        with self.engine.begin() as conn:
            conn.execute(self._lock_timeout)
            conn.execute(_ENSURE, {"name": self.name})
            row = conn.execute(_ACQUIRE, {"name": self.name, "holder": holder, "address": address,
                                          "ttl": ttl_s}).first()
        return int(row[0]) if row is not None else None

    def renew(self, holder: str, token: int, address: str, ttl_s: float) -> bool:
        """Extend the lease; False if it is no longer ``holder``'s with ``token`` (another node took it)."""
        with self.engine.begin() as conn:
            conn.execute(self._lock_timeout)
            row = conn.execute(_RENEW, {"name": self.name, "holder": holder, "token": token, "address": address,
                                        "ttl": ttl_s}).first()
        return row is not None

    def release(self, holder: str, token: int) -> None:
        """Let the lease expire now (a clean shutdown), if it is still ``holder``'s with ``token``."""
        with self.engine.begin() as conn:
            conn.execute(_RELEASE, {"name": self.name, "holder": holder, "token": token})

    def current(self) -> LeaseState | None:
        with self.engine.connect() as conn:
            row = conn.execute(_READ, {"name": self.name}).first()
        if row is None:
            return None
        return LeaseState(str(row.holder), str(row.address), int(row.token), float(row.left_s))
