// The monitor's data: live contacts (GET /api/supervisor/live-contacts) and alerts (GET /api/supervisor/alerts).
export interface LiveContact {
  contact_id: string; channel: string; direction: string; state: string;
  queue_id: string | null; queue_name: string | null; agent_id: string | null; agent_name: string | null;
  caller_id: string | null; customer: string | null; created_at: number; duration_s: number; waiting_s: number | null; listeners: number;
  monitors: { leg: string; phone: string | null; mode: string }[];
}

export interface Alert {
  id: string; kind: string; subject: string; value: number | null; threshold: number | null;
  raised_at: number; acknowledged: boolean; acked_by: string | null; acked_at: number | null;
  detail: Record<string, string | null>;
}

export interface Message {
  id: string; direction: "inbound" | "outbound" | "note"; author: { kind: string; id: string | null };
  body: string; at: number; status: string | null;
}

export const DIGITAL = new Set(["chat", "sms", "social", "whatsapp", "messenger", "telegram"]);
