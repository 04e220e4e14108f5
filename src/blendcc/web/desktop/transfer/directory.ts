// The transfer directory (`GET /api/agent/directory`) and the live frames that keep it current while the
// picker is open (AgentStateChanged of every agent, queue waiting counts), plus search and availability.

export interface QueueEntry {
  id: string;
  name: string;
  waiting: number;
  longest_wait_s: number;
  /** agents free for it now / signed in to it (the API's `agents_available` / `agents_logged_in`) */
  available: number;
  logged_in: number;
}

/** The API's queue row: counts under either name. */
export function normaliseQueue(q: Record<string, unknown>): QueueEntry {
  const num = (...keys: string[]) => {
    for (const k of keys) if (typeof q[k] === "number") return q[k] as number;
    return 0;
  };
  return {
    id: String(q.id ?? ""), name: String(q.name ?? q.id ?? ""), waiting: num("waiting"), longest_wait_s: num("longest_wait_s"),
    available: num("agents_available", "available"), logged_in: num("agents_logged_in", "logged_in"),
  };
}

export interface AgentEntry {
  id: string;
  name: string;
  state: string;
  reason: string | null;
  since: number;
  logged_in?: boolean;
  free: Record<string, number>;
  queues: string[];
}

export interface Directory {
  queues: QueueEntry[];
  agents: AgentEntry[];
}

export type Availability = "free" | "busy" | "off";

export interface Option {
  kind: "queue" | "agent";
  id: string;
  name: string;
  availability: Availability;
}

/** An agent can take this channel now (available with free capacity), is signed in but busy, or is off. */
export function agentAvailability(a: AgentEntry, channel: string): Availability {
  if (a.logged_in === false || a.state === "offline" || a.state === "logged_out") return "off";
  const free = a.free?.[channel] ?? a.free?.[channel === "voice" ? "voice" : "chat"] ?? 0;
  return a.state === "available" && free > 0 ? "free" : "busy";
}

export function queueAvailability(q: QueueEntry): Availability {
  return q.available > 0 ? "free" : q.logged_in > 0 ? "busy" : "off";
}

/** The directory after one live frame (agent state change, queue counts); anything else leaves it alone. */
export function applyDirectoryFrame(d: Directory, f: Record<string, unknown>): Directory {
  if (f.type === "AgentStateChanged" && typeof f.agent_id === "string") {
    const at = typeof f.at === "number" ? f.at : Date.now() / 1000;
    return {
      ...d,
      agents: d.agents.map((a) => (a.id === f.agent_id
        ? { ...a, state: String(f.state ?? a.state), reason: typeof f.reason === "string" ? f.reason : null, since: at,
          free: typeof f.free === "object" && f.free ? (f.free as Record<string, number>) : a.free }
        : a)),
    };
  }
  if (f.type === "QueueWaiting" && Array.isArray(f.queues)) {  // the feed's counts of every queue
    const fresh = new Map((f.queues as Record<string, unknown>[]).map((q) => [String(q.id), normaliseQueue(q)]));
    return { ...d, queues: d.queues.map((q) => {
      const n = fresh.get(q.id);
      return n ? { ...n, name: q.name } : q;
    }) };
  }
  if (typeof f.queue_id === "string" && typeof f.waiting === "number") {
    return {
      ...d,
      queues: d.queues.map((q) => (q.id === f.queue_id ? {
        ...q, waiting: f.waiting as number,
        longest_wait_s: typeof f.longest_wait_s === "number" ? f.longest_wait_s : q.longest_wait_s,
        available: typeof f.agents_available === "number" ? f.agents_available : typeof f.available === "number" ? f.available : q.available,
        logged_in: typeof f.agents_logged_in === "number" ? f.agents_logged_in : typeof f.logged_in === "number" ? f.logged_in : q.logged_in,
      } : q)),
    };
  }
  return d;
}

const RANK: Record<Availability, number> = { free: 0, busy: 1, off: 2 };

/** The options matching `query` (name or id, any case), queues first unless consulting (agents only),
 * each group ordered free -> busy -> off, then by name; the agent never sees itself. */
export function options(d: Directory, query: string, mode: "transfer" | "consult", channel: string, self: string | null): Option[] {
  const q = query.trim().toLocaleLowerCase();
  const hit = (name: string, id: string) => !q || name.toLocaleLowerCase().includes(q) || id.toLocaleLowerCase().includes(q);
  const order = (a: Option, b: Option) => RANK[a.availability] - RANK[b.availability] || a.name.localeCompare(b.name);
  const queues: Option[] = mode === "consult" ? [] : d.queues.filter((x) => hit(x.name, x.id))
    .map((x) => ({ kind: "queue" as const, id: x.id, name: x.name || x.id, availability: queueAvailability(x) })).sort(order);
  const agents: Option[] = d.agents.filter((x) => x.id !== self && hit(x.name, x.id))
    .map((x) => ({ kind: "agent" as const, id: x.id, name: x.name || x.id, availability: agentAvailability(x, channel) })).sort(order);
  return [...queues, ...agents];
}
