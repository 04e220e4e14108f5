"""A playbook's actions, each applied with the prior state it replaces and reverted to exactly that state:
emergency modes (engine commands), known-issue banners, paused campaigns, extra chat capacity."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from blendcc.crisis.playbook import (
    Action,
    BannerAction,
    BotShareAction,
    ChatCapacityAction,
    EmergencyAction,
    PageAction,
    PauseCampaignsAction,
    WorkflowVersionAction,
)
from blendcc.domain.agent import AgentConfig
from blendcc.domain.channels import Channel
from blendcc.domain.errors import DomainError, InvalidState, NotFound
from blendcc.ports import Commands, ConfigDocument
from blendcc.routing.commands import ClearEmergency, SetEmergency


class CampaignControl(Protocol):
    def states(self) -> dict[str, dict[str, Any]]: ...
    def set_state(self, campaign_id: str, state: str, reason: str | None = None) -> str: ...


class AgentDocuments(Protocol):
    """The configuration documents the actions change (agents' capacity, workflows' versions)."""

    def list(self, kind: str) -> Sequence[Any]: ...
    def get(self, kind: str, doc_id: str) -> Any: ...
    def history(self, kind: str, doc_id: str) -> Sequence[ConfigDocument]: ...
    def put(self, kind: str, doc_id: str, body: Mapping[str, Any], by: str | None) -> tuple[Any, int]: ...


class Actions:
    """``apply`` returns (detail, prior); ``revert`` takes the prior back. A thing changed by someone else
    while the crisis lasted is left as that person set it (the revert says so in its detail)."""

    def __init__(self, commands: Commands, emergency: Callable[[], list[dict[str, Any]]],
                 campaigns: CampaignControl | None = None, config: AgentDocuments | None = None) -> None:
        self.commands = commands
        self.emergency = emergency
        self.campaigns = campaigns
        self.config = config
        #: (crisis id, action index) -> banner shown to agents
        self.banners: dict[tuple[str, int], dict[str, Any]] = {}
        #: pages standby and temporary agents (app.crisis.paging.Pager; set by bootstrap)
        self.pager: Any = None
        #: the web-chat service (its instances' bots and ``bot_shares``; set by bootstrap)
        self.webchat: Any = None

    def _mode(self, scope: str) -> dict[str, Any] | None:
        return next((m for m in self.emergency() if m["scope"] == scope), None)

    # ------------------------------------------------------------------ apply

    def apply(self, crisis_id: str, index: int, action: Action, by: str,
              render: Callable[[str], str]) -> tuple[dict[str, Any], dict[str, Any]]:
        if isinstance(action, EmergencyAction):
            prior = self._mode(action.scope)
            self.commands.execute(SetEmergency(action.scope, action.mode, action.overflow_queue, action.message,
                                               by, crisis_id))
            return {"scope": action.scope, "mode": action.mode}, {"mode": prior}
        if isinstance(action, BannerAction):
            banner = {"crisis_id": crisis_id, "text": render(action.text), "level": action.level}
            self.banners[(crisis_id, index)] = banner
            return banner, {}
        if isinstance(action, PauseCampaignsAction):
            return self._pause(action, crisis_id)
        if isinstance(action, WorkflowVersionAction):
            return self._workflow(action, by)
        if isinstance(action, BotShareAction):
            return self._bot_share(action)
        if isinstance(action, PageAction):
            if self.pager is None:
                raise InvalidState("paging is not available here (no senders)")
            result: tuple[dict[str, Any], dict[str, Any]] = self.pager.page(crisis_id, index, action, render)
            return result
        return self._chat_capacity(action, by)

    def _workflow(self, action: WorkflowVersionAction, by: str) -> tuple[dict[str, Any], dict[str, Any]]:
        if self.config is None:
            raise InvalidState("routing workflows are not available here")
        old = next((d for d in self.config.history("workflows", action.workflow) if d.version == action.version),
                   None)
        if old is None or old.deleted:
            raise NotFound(f"workflow {action.workflow!r} has no version {action.version}")
        before = self.config.get("workflows", action.workflow).model_dump(mode="json")
        _doc, version = self.config.put("workflows", action.workflow, old.body, by)
        after = self.config.get("workflows", action.workflow).model_dump(mode="json")
        return ({"workflow": action.workflow, "version": action.version, "stored_as": version},
                {"body": before, "wrote": after})

    def _bot_share(self, action: BotShareAction) -> tuple[dict[str, Any], dict[str, Any]]:
        instances = getattr(self.webchat, "instances", {})
        inst = instances.get(action.instance)
        if inst is None or inst.bot_flow is None:
            raise InvalidState(f"web-chat instance {action.instance!r} has no bot (its bot_flow setting)")
        shares: dict[str, float] = self.webchat.bot_shares
        before = shares.get(action.instance)
        shares[action.instance] = action.share
        return ({"instance": action.instance, "share": action.share, "from": inst.bot_share if before is None
                 else before}, {"share": before})

    def _restore_bot_share(self, action: BotShareAction, prior: Mapping[str, Any]) -> dict[str, Any]:
        shares: dict[str, float] = getattr(self.webchat, "bot_shares", {})
        if shares.get(action.instance) != action.share:
            return {"instance": action.instance, "left": "changed by someone else meanwhile"}
        if prior.get("share") is None:
            shares.pop(action.instance, None)
        else:
            shares[action.instance] = prior["share"]
        return {"instance": action.instance, "restored": prior.get("share")}

    def _pause(self, action: PauseCampaignsAction, crisis_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        if self.campaigns is None:
            return {"paused": [], "note": "no outbound campaigns in this server"}, {"paused": []}
        wanted = set(action.campaigns)
        paused = []
        for cid, st in sorted(self.campaigns.states().items()):
            if st["state"] == "running" and (not wanted or cid in wanted):
                self.campaigns.set_state(cid, "paused", f"crisis {crisis_id}")
                paused.append(cid)
        return {"paused": paused}, {"paused": paused}

    def _chat_capacity(self, action: ChatCapacityAction, by: str) -> tuple[dict[str, Any], dict[str, Any]]:
        if self.config is None:
            return {"agents": []}, {"agents": {}}
        prior: dict[str, Any] = {}
        wrote: dict[str, Any] = {}
        for agent in self.config.list("agents"):
            if not isinstance(agent, AgentConfig):
                continue
            chats = agent.capacity.limits.get(Channel.CHAT, 0)
            if chats <= 0:
                continue
            before = agent.model_dump(mode="json")
            after = agent.model_dump(mode="json")
            after["capacity"]["limits"]["chat"] = chats + action.extra
            self.config.put("agents", agent.id, after, by)
            prior[agent.id] = before
            wrote[agent.id] = after
        return {"agents": sorted(prior), "extra": action.extra}, {"agents": prior, "wrote": wrote}

    # ------------------------------------------------------------------ revert

    def revert(self, crisis_id: str, index: int, action: Action, prior: Mapping[str, Any], by: str) -> dict[str, Any]:
        if isinstance(action, EmergencyAction):
            now = self._mode(action.scope)
            if now is None or now.get("crisis_id") != crisis_id:
                return {"scope": action.scope, "left": "changed by someone else meanwhile"}
            before = prior.get("mode")
            if before is None:
                self.commands.execute(ClearEmergency(action.scope, by, crisis_id))
            else:
                self.commands.execute(SetEmergency(action.scope, before["mode"], before.get("overflow_queue"),
                                                   before.get("message") or "", before.get("by"),
                                                   before.get("crisis_id"), before.get("since")))
            return {"scope": action.scope, "restored": before}
        if isinstance(action, BannerAction):
            self.banners.pop((crisis_id, index), None)
            return {}
        if isinstance(action, WorkflowVersionAction):
            return self._restore_workflow(action, prior, by)
        if isinstance(action, BotShareAction):
            return self._restore_bot_share(action, prior)
        if isinstance(action, PageAction):
            done: dict[str, Any] = self.pager.stand_down(crisis_id, index, prior) if self.pager is not None else {}
            return done
        if isinstance(action, PauseCampaignsAction):
            resumed = []
            if self.campaigns is not None:
                states = self.campaigns.states()
                for cid in prior.get("paused", ()):
                    if states.get(cid, {}).get("state") == "paused":
                        self.campaigns.set_state(cid, "running", f"crisis {crisis_id} ended")
                        resumed.append(cid)
            return {"resumed": resumed}
        return self._restore_agents(prior, by)

    def _restore_workflow(self, action: WorkflowVersionAction, prior: Mapping[str, Any], by: str) -> dict[str, Any]:
        if self.config is None:
            return {}
        try:
            current = self.config.get("workflows", action.workflow).model_dump(mode="json")
        except NotFound:
            return {"workflow": action.workflow, "left": "deleted meanwhile"}
        if current != prior.get("wrote"):
            return {"workflow": action.workflow, "left": "changed by someone else meanwhile"}
        _doc, version = self.config.put("workflows", action.workflow, prior["body"], by)
        return {"workflow": action.workflow, "restored_as": version}

    def _restore_agents(self, prior: Mapping[str, Any], by: str) -> dict[str, Any]:
        restored, left = [], []
        if self.config is not None:
            current = {a.id: a.model_dump(mode="json") for a in self.config.list("agents")
                       if isinstance(a, AgentConfig)}
            for agent_id, before in prior.get("agents", {}).items():
                if current.get(agent_id) != prior.get("wrote", {}).get(agent_id):
                    left.append(agent_id)
                    continue
                try:
                    self.config.put("agents", agent_id, before, by)
                    restored.append(agent_id)
                except DomainError:
                    left.append(agent_id)
        return {"restored": sorted(restored), "left": sorted(left)}
