"""Customer routes: tags, merge and undo, the timeline, the screen pop, export and erasure."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from blendcc.api.deps import C, P, audit, may_see_contact
from blendcc.api.models import customers as out
from blendcc.api.models import main as main_out
from blendcc.app.acd.customers import TagChanges
from blendcc.app.admin.auth import Principal
from blendcc.app.container import Container
from blendcc.app.customers.merge import MergeRequest
from blendcc.domain.errors import Forbidden

router = APIRouter(prefix="/api", tags=["customers"])


def may_see_customer(c: Container, p: Principal, customer_id: str) -> None:
    """Supervisors see every customer; an agent the customers of contacts it holds or handled."""
    if p.at_least("supervisor"):
        return
    if p.agent_id is not None:
        if customer_id in c.views.customers_held(p.agent_id):
            return
        if c.store.interactions(customer_id=customer_id, agent_id=p.agent_id, limit=1):
            return
    raise Forbidden("agents see customers of their own contacts")


@router.post("/customers/{customer_id}/tags", response_model=main_out.Customer,
             summary="Add and remove tags")
def change_tags(customer_id: str, body: TagChanges, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return c.customers.change_tags(customer_id, body)


@router.get("/customer-tags/{tag}", response_model=out.CustomerList, summary="Customers with a tag")
def customers_with_tag(tag: str, c: C, p: P, limit: int = Query(100, ge=1, le=1000),
                       offset: int = Query(0, ge=0, le=1_000_000)) -> dict[str, Any]:
    p.require("supervisor")
    return {"customers": c.customers.with_tag(tag, limit, offset)}


@router.post("/customers/{customer_id}/merge", response_model=out.MergeResult,
             summary="Merge another customer into this one (reversible)")
def merge_customer(customer_id: str, body: MergeRequest, c: C, p: P) -> dict[str, Any]:
    p.require("admin")
    result: dict[str, Any] = c.merges.merge(customer_id, body.from_, body.prefer, by=p.username)
    audit(c, p, "customer_merged", customer_id, from_customer_id=body.from_, merge_id=result["merge_id"])
    return result


@router.get("/customers/{customer_id}/merges", response_model=out.MergeList,
            summary="Merges into this customer, with their undo time")
def list_merges(customer_id: str, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    c.timeline.customer(customer_id)
    return {"merges": c.merges.merges(customer_id)}


@router.post("/customers/{customer_id}/merges/{merge_id}/undo", response_model=out.MergeResult,
             summary="Undo a merge: identities, contacts and fields go back")
def undo_merge(customer_id: str, merge_id: str, c: C, p: P) -> dict[str, Any]:
    p.require("admin")
    result: dict[str, Any] = c.merges.undo(customer_id, merge_id, by=p.username)
    audit(c, p, "customer_unmerged", customer_id, merge_id=merge_id)
    return result


@router.get("/customers/{customer_id}/timeline", response_model=out.Timeline,
            summary="Everything that happened with the customer, newest first, across channels")
def timeline(customer_id: str, c: C, p: P, cursor: str | None = Query(None, max_length=20),
             limit: int = Query(50, ge=1, le=500),
             q: str | None = Query(None, min_length=1, max_length=200,
                                   description="only items whose text (message, note...) contains this"),
             ) -> dict[str, Any]:
    may_see_customer(c, p, customer_id)
    page: dict[str, Any] = c.timeline.page(customer_id, cursor, limit, q)
    return page


@router.get("/contacts/{contact_id}/screen-pop", response_model=out.ScreenPop,
            summary="The offer's screen pop: customer, last contacts, open conversations and CRM data")
async def screen_pop(contact_id: str, c: C, p: P) -> dict[str, Any]:
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(may_see_contact, c, p, contact_id)
    await run_in_threadpool(c.contacts.get, contact_id)
    pop = await run_in_threadpool(c.screen_pop.local, contact_id)
    return {**pop, "crm": await c.screen_pop.crm(pop["customer"])}


@router.get("/customers/{customer_id}/export", response_model=out.CustomerExport,
            summary="Everything stored about the customer (a subject access request)")
def export_customer(customer_id: str, c: C, p: P) -> dict[str, Any]:
    p.require("admin")
    data: dict[str, Any] = c.privacy.export(customer_id)
    audit(c, p, "data_exported", customer_id, what="customer")
    return data


@router.post("/customers/{customer_id}/erase", response_model=out.Erasure,
             summary="Erase the customer's personal data (reports keep the anonymous facts)")
def erase_customer(customer_id: str, c: C, p: P) -> dict[str, Any]:
    p.require("admin")
    result: dict[str, Any] = c.privacy.erase(customer_id, by=p.username)
    audit(c, p, "customer_erased", customer_id, contacts=result["contacts"])
    return result
