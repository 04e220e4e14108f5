// The wallboard's data (GET /api/stats/live and the socket's "stats" frames) and its threshold colours.
export type StateCounts = Record<string, number>;

export interface Kpis {
  offered: number; handled: number; abandoned: number;
  service_level: number | null; asa_s: number | null; abandon_rate: number | null;
}

export interface Targets { sl_target: number; sl_threshold_s: number; long_wait_s: number }

export interface Tile extends Targets {
  queue_id: string; queue_name: string; channel: string; waiting: number; longest_wait_s: number;
  agents: StateCounts; agents_offline: number; today: Kpis;
}

export interface Queue extends Targets {
  id: string; name: string; waiting: number; longest_wait_s: number; agents: StateCounts;
  agents_offline: number; today: Kpis; channels: Tile[];
}

export interface Agent {
  id: string; name: string; team_id: string | null; state: string; reason: string | null; since: number;
  time_in_state_s: number; queues: string[]; contacts: string[]; handled_today: number;
  occupancy_today: number | null;
}

/** Today's IVR figures of one flow and dialled number (analytics/ivr_stats.py). */
export interface IvrRow {
  flow_id: string; dialled: string; ivr_calls: number; to_queue: number; ivr_abandoned: number;
  ivr_contained: number; ivr_abandon_rate: number | null; ivr_containment: number | null;
  avg_ivr_abandon_s: number | null; avg_ivr_contained_s: number | null;
}

export interface Board {
  at: number; seq: number; timezone: string; queues: Queue[]; agents: Agent[]; states: string[];
  totals: { waiting: number; longest_wait_s: number; agents: StateCounts };
  /** calls that left the IVR today (to a queue, abandoned there, contained); absent on older servers */
  ivr?: { flows: IvrRow[] };
  /** emergency modes in force (scope "*": the whole centre); absent on older servers */
  emergency?: { scope: string; mode: string; message: string }[];
}

export const STATES = ["available", "reserved", "busy", "held", "wrap_up", "aux", "offline"];
export const CHANNELS = ["voice", "chat", "email", "sms", "social"];

export type Level = "ok" | "warn" | "bad" | "";

/** Service level against the queue's own goal: at or above it ok, within 10 points warn, else bad. */
export function slLevel(sl: number | null, target: number): Level {
  if (sl === null || sl === undefined) return "";
  if (sl >= target) return "ok";
  return sl >= target - 0.1 ? "warn" : "bad";
}

/** The longest wait against the queue's long-wait threshold: past it bad, past half of it warn. */
export function waitLevel(waiting: number, longest: number, threshold: number): Level {
  if (!waiting) return "";
  if (longest >= threshold) return "bad";
  return longest >= threshold / 2 ? "warn" : "ok";
}

export function worst(...levels: Level[]): Level {
  for (const l of ["bad", "warn", "ok"] as Level[]) if (levels.includes(l)) return l;
  return "";
}

/** One figure set for a tile: a queue x channel, a whole queue (no channel tiles yet) or a channel. */
export interface Figures extends Targets {
  key: string; title: string; channel: string; waiting: number; longest_wait_s: number;
  /** null on a channel tile: an agent of several queues would count more than once */
  agents: StateCounts | null; agents_offline: number; today: Kpis;
}

export function queueTiles(board: Board): Figures[] {
  const out: Figures[] = [];
  for (const q of board.queues) {
    if (!q.channels.length) {
      out.push({ ...q, key: `${q.id}:*`, title: q.name, channel: "" });
      continue;
    }
    for (const t of q.channels) out.push({ ...t, key: `${q.id}:${t.channel}`, title: t.queue_name });
  }
  return out;
}

/** Per channel across queues: sums, ratios from their parts, the strictest queue's targets. */
export function channelTiles(board: Board): Figures[] {
  const by = new Map<string, Tile[]>();
  for (const q of board.queues) for (const t of q.channels) by.set(t.channel, [...(by.get(t.channel) ?? []), t]);
  return [...by.entries()].sort(([a], [b]) => CHANNELS.indexOf(a) - CHANNELS.indexOf(b)).map(([ch, ts]) => {
    const sum = (f: (t: Tile) => number) => ts.reduce((n, t) => n + f(t), 0);
    const weighted = (f: (t: Tile) => number | null, w: (t: Tile) => number) => {
      const den = sum((t) => (f(t) === null ? 0 : w(t)));
      return den ? sum((t) => (f(t) ?? 0) * (f(t) === null ? 0 : w(t))) / den : null;
    };
    return {
      key: `*:${ch}`, title: "", channel: ch, waiting: sum((t) => t.waiting),
      longest_wait_s: Math.max(0, ...ts.map((t) => t.longest_wait_s)), agents: null, agents_offline: 0,
      sl_target: Math.max(...ts.map((t) => t.sl_target)), sl_threshold_s: Math.min(...ts.map((t) => t.sl_threshold_s)),
      long_wait_s: Math.min(...ts.map((t) => t.long_wait_s)),
      today: {
        offered: sum((t) => t.today.offered), handled: sum((t) => t.today.handled), abandoned: sum((t) => t.today.abandoned),
        service_level: weighted((t) => t.today.service_level, (t) => t.today.offered),
        asa_s: weighted((t) => t.today.asa_s, (t) => t.today.handled),
        abandon_rate: weighted((t) => t.today.abandon_rate, (t) => t.today.offered),
      },
    };
  });
}
