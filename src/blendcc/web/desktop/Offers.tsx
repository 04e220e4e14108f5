// Offers: one card per ringing contact (channel, queue, customer from the screen pop, waiting time and the
// countdown to the offer's expiry), accept / decline by button or shortcut; a new offer rings, is announced
// (aria-live assertive) and raises a desktop notification while the page is hidden.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Api, ScreenPop, T } from "./types";
import { formatDuration } from "./i18n";
import { useNow } from "./hooks";
import { SHORTCUTS } from "./shortcuts";
import { notifyHidden, ring } from "./alert";
import { ChannelIcon } from "./icons";

export interface Offer {
  contact_id: string;
  channel: string;
  queue_id: string | null;
  expires_at: number;
  /** when it was offered (server time), null when only the snapshot knows it */
  offered_at: number | null;
  attributes: Record<string, unknown>;
  customer_id: string | null;
  /** Date.now() when the frame arrived (0: from the view) */
  received: number;
}

interface Props {
  offers: Offer[];
  pops: Record<string, ScreenPop>;
  api: Api;
  t: T;
  lang: string;
  skew: number;
  onAct(contactId: string, action: "accept" | "decline"): void;
}

export function customerName(offer: { attributes: Record<string, unknown> }, pop: ScreenPop | undefined, t: T): string {
  const a = offer.attributes;
  const name = pop?.customer?.name || a.customer_name || a.name || a.from || a.address;
  return typeof name === "string" && name ? name : t("customer.unknown");
}

export function Offers({ offers, pops, api, t, lang, skew, onAct }: Props) {
  const now = useNow(skew);
  const seen = useRef(new Set<string>());
  /** when each offered contact started waiting (its row: first queued, else created) */
  const [waitingSince, setWaitingSince] = useState<Record<string, number>>({});

  useEffect(() => {
    for (const o of offers) {
      if (seen.current.has(o.contact_id)) continue;
      seen.current.add(o.contact_id);
      api.get<{ first_queued_at: number | null; created_at: number }>(`/api/contacts/${encodeURIComponent(o.contact_id)}`)
        .then((row) => setWaitingSince((w) => ({ ...w, [o.contact_id]: row.first_queued_at ?? row.created_at })))
        .catch(() => undefined); // the offer went meanwhile: nothing to show
      ring();
      notifyHidden(t("offer.notify_title", { channel: t(`channel.${o.channel}`) }),
        customerName(o, pops[o.contact_id], t), o.contact_id);
    }
  }, [offers, pops, t, api]);

  const latest = offers[offers.length - 1];
  return (
    <section class="offers" aria-label={t("offer.region")}>
      <div class="sr-only" aria-live="assertive" aria-atomic="true">
        {latest ? t("offer.announce", { channel: t(`channel.${latest.channel}`), customer: customerName(latest, pops[latest.contact_id], t) }) : ""}
      </div>
      {offers.map((o, i) => {
        const pop = pops[o.contact_id];
        const left = o.expires_at - now;
        const since = waitingSince[o.contact_id];
        const waiting = since ? now - since : null;
        return (
          <article key={o.contact_id} class="offer-card" aria-labelledby={`offer-${o.contact_id}`} data-testid="offer">
            <ChannelIcon channel={o.channel} t={t} />
            <div class="offer-main">
              <h2 id={`offer-${o.contact_id}`}>{customerName(o, pop, t)}</h2>
              <p class="muted">
                {t(`channel.${o.channel}`)}
                {o.queue_id ? ` · ${t("offer.queue", { queue: o.queue_id })}` : ""}
                {pop?.customer?.tier ? ` · ${pop.customer.tier}` : ""}
                {waiting != null ? ` · ${t("offer.waited", { time: formatDuration(lang, waiting) })}` : ""}
              </p>
            </div>
            <span class={`countdown${left < 10 ? " urgent" : ""}`} role="timer" aria-label={t("offer.expires")}>
              {formatDuration(lang, left)}
            </span>
            <div class="offer-actions">
              <button type="button" class="btn primary" onClick={() => onAct(o.contact_id, "accept")}
                      aria-keyshortcuts={i === 0 ? "Alt+A" : undefined}>
                {t("offer.accept")}{i === 0 && <kbd>{SHORTCUTS.accept.label}</kbd>}
              </button>
              <button type="button" class="btn" onClick={() => onAct(o.contact_id, "decline")}
                      aria-keyshortcuts={i === 0 ? "Alt+D" : undefined}>
                {t("offer.decline")}{i === 0 && <kbd>{SHORTCUTS.decline.label}</kbd>}
              </button>
            </div>
          </article>
        );
      })}
    </section>
  );
}
