// The 24-hour reply window of WhatsApp and Messenger (docs/messaging-channels.md): free text only within
// 24 hours of the customer's last message; outside it only an approved template may be sent.
import type { Message } from "../../types";

export const WINDOW_CHANNELS = new Set(["whatsapp", "messenger"]);
export const WINDOW_S = 24 * 3600;

/** Seconds left in the window at `now` (<= 0: closed), or null when the channel has no window. */
export function windowLeft(channel: string, messages: Message[], now: number): number | null {
  if (!WINDOW_CHANNELS.has(channel)) return null;
  let last = 0;
  for (const m of messages) if (m.direction === "inbound" && m.at > last) last = m.at;
  if (last === 0) return 0;
  return last + WINDOW_S - now;
}
