// Problem management's shapes as the API answers them (/api/problems).
export type Status = "open" | "known_error" | "resolved" | "closed";
export interface Rules { dispositions: string[]; phrases: string[]; queues: string[]; channels: string[]; since: number | null }
export interface Problem {
  problem_id: string; title: string; status: Status; rules: Rules; kb_article_id: string | null; crisis_id: string | null;
  workaround: string; resolution: string; opened_at: number; opened_by: string | null; resolved_at: number | null;
  contacts: number; backfilled?: number | null;
}
export interface Link {
  contact_id: string; contact_at: number; customer_id: string | null; queue_id: string | null; channel: string | null;
  how: string; reason: string;
}
export interface Affected {
  customers: { customer_id: string; contacts: number; last_contact_at: number; name: string; phones: string[]; emails: string[] }[];
  contacts_without_customer: number;
}
export interface Counts { bucket: string; total: number; series: { start: number; contacts: number }[] }
export interface Exported { customers: number; skipped_dnc: number; without_phone: number; import: { accepted: number; duplicates: number; rejected: number } }

/** "a, b ,c" -> ["a", "b", "c"] */
export const splitList = (s: string): string[] => s.split(",").map((x) => x.trim()).filter(Boolean);
