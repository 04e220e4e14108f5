// The outbound panel's data: the campaigns of my queues, preview records, callbacks and dial checks.

export interface DialRecord {
  campaign_id: string;
  record_id: string;
  phone: string;
  tz: string;
  fields: Record<string, string>;
  state: string;
  attempts: number;
  last_outcome: string | null;
}

export interface Callback {
  id: string;
  due: number;
  phone: string | null;
  customer_id?: string | null;
  customer_name?: string | null;
  note?: string | null;
  campaign_id?: string | null;
  record_id?: string | null;
  /** "scheduled" (done / cancel here) or "dialer" (a campaign record's callback) */
  source?: string | null;
}

export interface Check {
  name: string;
  ok: boolean;
  message: string;
}

/** A campaign of one of my queues (GET /api/agent/campaigns), running ones first. */
export interface AgentCampaign {
  id: string;
  name: string;
  mode: string;
  queue_id: string;
  state: string;
  preview_dial: boolean;
  manual_dial: boolean;
  why_not: string | null;
}

const CAMPAIGN_KEY = "blendcc.desktop.outbound.campaign";

/** The campaign this desktop chose last ("" when none). */
export function rememberedCampaign(): string {
  try {
    return window.localStorage.getItem(CAMPAIGN_KEY) ?? "";
  } catch {
    return "";
  }
}

/** Remember the chosen campaign for the next sign-in. */
export function rememberCampaign(id: string): void {
  try {
    window.localStorage.setItem(CAMPAIGN_KEY, id);
  } catch {
    /* chosen for this page only */
  }
}

/** The campaigns of an answer, running ones first (the server's order within a state is kept). */
export function campaignsOf(answer: unknown): AgentCampaign[] {
  if (!Array.isArray(answer)) return [];
  const rank = (s: string) => (s === "running" ? 0 : s === "paused" ? 1 : 2);
  return (answer as AgentCampaign[])
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c.state) - rank(b.c.state) || a.i - b.i)
    .map(({ c }) => c);
}

/** The campaign to show: the remembered one if still offered, else the first running one, else the first. */
export function pickCampaign(list: AgentCampaign[], remembered: string): string {
  if (list.some((c) => c.id === remembered)) return remembered;
  return (list.find((c) => c.state === "running") ?? list[0])?.id ?? "";
}

function field(o: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

/** The checks of a dial-check answer, whatever their exact field names ({name|check, ok|passed, message}). */
export function checksOf(answer: unknown): Check[] {
  const raw = Array.isArray(answer) ? answer : (answer as { checks?: unknown })?.checks;
  if (!Array.isArray(raw)) return [];
  return raw.map((c: Record<string, unknown>) => ({
    name: String(field(c, "name", "check", "id") ?? ""),
    ok: Boolean(field(c, "ok", "passed", "pass")),
    message: String(field(c, "message", "detail", "reason") ?? ""),
  }));
}

/** Callbacks as a list sorted by due time, whatever wrapper the server uses. */
export function callbacksOf(answer: unknown): Callback[] {
  const raw = Array.isArray(answer) ? answer : (answer as { callbacks?: unknown })?.callbacks;
  if (!Array.isArray(raw)) return [];
  return (raw as Record<string, unknown>[]).map((c) => ({
    id: String(field(c, "id", "callback_id", "record_id") ?? ""),
    due: Number(field(c, "due", "due_at", "callback_at", "at") ?? 0),
    phone: (field(c, "phone") as string | undefined) ?? null,
    customer_id: (field(c, "customer_id") as string | undefined) ?? null,
    customer_name: typeof c.customer_name === "string" ? c.customer_name : null,
    note: (field(c, "note", "notes") as string | undefined) ?? null,
    campaign_id: (field(c, "campaign_id") as string | undefined) ?? null,
    record_id: (field(c, "record_id") as string | undefined) ?? null,
    source: (field(c, "source") as string | undefined) ?? null,
  })).sort((a, b) => a.due - b.due);
}
