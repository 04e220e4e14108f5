"""A problem's figures: its linked contacts over time (chart data), the distinct customers affected with their contact
details, and those customers added to an outbound campaign's calling list through the dialer's list import (numbers
on the campaign's do-not-call lists left out)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any, Protocol

from blendcc.app.crisis.problems import ProblemService
from blendcc.crisis.problems import BUCKETS, counts_over_time, distinct_customers
from blendcc.dialer.records import ListImport
from blendcc.domain import problem_events as pe
from blendcc.domain.errors import InvalidState, ValidationFailed
from blendcc.ports import CustomerRepository

MAX_BUCKETS = 2000
MAX_LINKS = 500_000


class CampaignLists(Protocol):
    """What the export needs of the dialer (``app.outbound.campaigns.CampaignService``)."""

    def import_list(self, campaign_id: str, text: str, source: str = "upload",
                    region: str | None = None) -> ListImport: ...
    def get(self, campaign_id: str) -> Any: ...
    def dnc(self, campaign_id: str) -> Any: ...


def _details(customer: Mapping[str, Any] | None) -> dict[str, Any]:
    if customer is None:
        return {"name": "", "phones": [], "emails": []}
    ids = [tuple(i) for i in customer.get("identities") or ()]
    return {"name": str(customer.get("name") or ""), "phones": [v for k, v in ids if k == "phone"],
            "emails": [v for k, v in ids if k == "email"]}


class ProblemFigures:
    def __init__(self, problems: ProblemService, customers: CustomerRepository, campaigns: CampaignLists | None,
                 tz: str = "UTC") -> None:
        self.problems = problems
        self.customers = customers
        self.campaigns = campaigns
        self.tz = tz

    def counts(self, problem_id: str, bucket: str = "day", start: float | None = None,
               end: float | None = None) -> dict[str, Any]:
        """Linked contacts per bucket from ``start`` (default: the first linked contact, else the opening) to
        ``end`` (default: now)."""
        if bucket not in BUCKETS:
            raise ValidationFailed(f"bucket must be one of {', '.join(BUCKETS)}")
        row = self.problems.get(problem_id)
        links = self.problems.reader.links(problem_id, limit=MAX_LINKS)
        times = [float(r["contact_at"]) for r in links]
        end = self.problems.clock.now() + 1 if end is None else end
        start = (min(times, default=float(row["opened_at"]))) if start is None else start
        if end <= start:
            raise ValidationFailed("end must be after start")
        if (end - start) / BUCKETS[bucket] > MAX_BUCKETS:
            raise ValidationFailed(f"more than {MAX_BUCKETS} buckets: choose a larger bucket or a shorter period")
        series = counts_over_time(times, start, end, bucket, self.tz)
        return {"problem_id": problem_id, "bucket": bucket, "start": start, "end": end,
                "total": sum(int(b["contacts"]) for b in series), "series": series}

    def affected(self, problem_id: str) -> dict[str, Any]:
        """Distinct customers of the linked contacts, most contacts first, with name, phones and emails; contacts
        without a known customer are counted apart."""
        self.problems.get(problem_id)
        links = self.problems.reader.links(problem_id, limit=MAX_LINKS)
        rows = []
        for customer_id, n, last in distinct_customers(links):
            rows.append({"customer_id": customer_id, "contacts": n, "last_contact_at": last,
                         **_details(self.customers.get(customer_id))})
        return {"problem_id": problem_id, "customers": rows,
                "contacts_without_customer": sum(1 for r in links if not r.get("customer_id"))}

    def export(self, problem_id: str, campaign_id: str, by: str | None) -> dict[str, Any]:
        """Add each affected customer's first phone number to ``campaign_id``'s calling list (the dialer's CSV list
        import: numbers already in the campaign are kept as they are); numbers on the global or the campaign's
        do-not-call list are left out and counted. The export is the event ``ProblemCustomersExported``."""
        if self.campaigns is None:
            raise InvalidState("the dialer is not wired in this server")
        row = self.problems.get(problem_id)
        self.campaigns.get(campaign_id)  # NotFound for an unknown campaign
        dnc = self.campaigns.dnc(campaign_id)
        affected = self.affected(problem_id)["customers"]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["phone", "customer_id", "name", "problem_id", "problem"])
        skipped = without = rows = 0
        for c in affected:
            phones = c["phones"]
            if not phones:
                without += 1
                continue
            phone = next((p for p in phones if p not in dnc), None)
            if phone is None:
                skipped += 1
                continue
            writer.writerow([phone, c["customer_id"], c["name"], problem_id, row["title"]])
            rows += 1
        if rows == 0:
            raise InvalidState(f"no affected customer of problem {problem_id} has a phone number the campaign may "
                               f"call ({len(affected)} customers, {without} without a phone, {skipped} on a "
                               "do-not-call list)")
        report = self.campaigns.import_list(campaign_id, out.getvalue(), source=f"problem {problem_id}")
        self.problems._append(pe.ProblemCustomersExported(
            at=self.problems.clock.now(), problem_id=problem_id, campaign_id=campaign_id, import_id=report.import_id,
            customers=len(affected), accepted=report.accepted, skipped_dnc=skipped, without_phone=without, by=by))
        return {"problem_id": problem_id, "campaign_id": campaign_id, "customers": len(affected),
                "skipped_dnc": skipped, "without_phone": without, "import": report.to_dict()}
