// Channel icons (inline SVG, no icon font or CDN), labelled for screen readers.
import type { T } from "./types";

const PATHS: Record<string, string> = {
  voice: "M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z",
  email: "M3 5h18a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zm1 2v.4l8 5 8-5V7l-8 5z",
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z",
  sms: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H7l-4 3V5a2 2 0 0 1 1-2zm3 6v2h2V9zm4 0v2h2V9zm4 0v2h2V9z",
};

export function ChannelIcon({ channel, t }: { channel: string; t: T }) {
  const d = PATHS[channel] ?? (channel === "webchat" || channel === "whatsapp" || channel === "messenger" || channel === "telegram" ? PATHS.chat : PATHS.sms);
  return (
    <svg class={`channel-icon ch-${channel}`} viewBox="0 0 24 24" width="20" height="20" role="img" aria-label={t(`channel.${channel}`)}>
      <path d={d} fill="currentColor" />
    </svg>
  );
}
