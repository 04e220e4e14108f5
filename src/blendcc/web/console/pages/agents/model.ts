// The agent grid's data (GET /api/supervisor/agents, api/models/supervision.py) and its filter in the URL.
export interface GridContact { contact_id: string; channel: string; queue_id: string | null; stage: string; state: string }
export interface GridAdherence { scheduled: string | null; in_adherence: boolean | null; today: number | null }
export interface GridRow {
  id: string; name: string; team_id: string | null; logged_in: boolean; state: string; reason: string | null;
  since: number; seconds: number; queues: string[]; skills: Record<string, number>; contacts: GridContact[];
  handled: number; aht_s: number | null; occupancy: number | null; adherence: GridAdherence;
}
export interface GridOptions { teams: string[]; queues: string[]; skills: string[] }
export interface Grid { at: number; day_start: number; timezone: string; agents: GridRow[]; options: GridOptions }

/** The grid's filter (team, queue, skill; "" is any), read from and written to the view's URL query. */
export interface GridFilter { team: string; queue: string; skill: string }

export function filterOf(query: URLSearchParams): GridFilter {
  return { team: query.get("team") ?? "", queue: query.get("queue") ?? "", skill: query.get("skill") ?? "" };
}

/** The filter as a URL query (empty values left out). */
export function queryOf(f: GridFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v) out[k] = v;
  return out;
}

/** Whether a row re-read after an event still belongs to the filtered grid (the server's rule). */
export function keeps(f: GridFilter, r: GridRow): boolean {
  return (!f.team || r.team_id === f.team) && (!f.queue || r.queues.includes(f.queue))
    && (!f.skill || f.skill in r.skills);
}

/** The documented aux reason codes (domain/agent.py AUX_REASONS less "missed", which the system sets). */
export const AUX_REASONS = ["break", "lunch", "meeting", "training", "personal", "coaching"];
