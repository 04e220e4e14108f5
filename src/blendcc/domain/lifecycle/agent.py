"""The agent lifecycle: the observable agent states a supervisor sees and the steps allowed between them."""

from __future__ import annotations

from blendcc.domain.agent import AgentState
from blendcc.domain.lifecycle import Lifecycle

G = AgentState

#: Observable state is derived after each command from presence and assignments (busy > wrap-up >
#: reserved > aux > available), so one command may skip intermediate states: a login with an offer
#: goes offline -> reserved, an answered outbound call available/aux -> busy, a zero wrap-up busy ->
#: available/reserved/aux. WRAP_UP is only entered from BUSY; OFFLINE only leads to a login state.
#: AUX -> AUX is a change of aux reason.
AGENT = Lifecycle[AgentState](
    "agent",
    steps={
        G.OFFLINE: {G.AVAILABLE, G.AUX, G.RESERVED},
        G.AVAILABLE: {G.RESERVED, G.BUSY, G.AUX, G.OFFLINE},
        G.RESERVED: {G.AVAILABLE, G.BUSY, G.AUX, G.OFFLINE},
        G.BUSY: {G.WRAP_UP, G.AVAILABLE, G.RESERVED, G.AUX, G.OFFLINE},
        G.WRAP_UP: {G.AVAILABLE, G.RESERVED, G.BUSY, G.AUX, G.OFFLINE},
        G.AUX: {G.AUX, G.AVAILABLE, G.RESERVED, G.BUSY, G.OFFLINE},
    },
    initial={G.OFFLINE},
    exits=(),
)
