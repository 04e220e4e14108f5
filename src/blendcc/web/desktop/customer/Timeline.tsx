// The customer's cross-channel timeline (GET /api/customers/{id}/timeline), newest first, paged; a call's
// transcript lines show who spoke, and messages and lines their sentiment (scored by the server).
import { useEffect, useState } from "preact/hooks";
import type { Api, T } from "../types";
import { errorText } from "../../shared/http";
import { formatDateTime } from "../i18n";

interface Item {
  seq: number;
  at: number;
  kind: string;
  contact_id: string | null;
  channel: string | null;
  text: string | null;
  detail: { speaker?: string };
  sentiment?: { score: number; label: string } | null;
}

interface Page {
  items: Item[];
  next_cursor: string | null;
}

export function Timeline({ customerId, api, t, lang }: { customerId: string; api: Api; t: T; lang: string }) {
  const [items, setItems] = useState<Item[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState("");

  const load = (after: string | null) => {
    const q = `/api/customers/${encodeURIComponent(customerId)}/timeline?limit=20${after ? `&cursor=${encodeURIComponent(after)}` : ""}`;
    api.get<Page>(q)
      .then((p) => {
        setItems((old) => (after ? [...old, ...p.items] : p.items));
        setCursor(p.next_cursor);
      })
      .catch((e) => setError(errorText(e)));
  };
  useEffect(() => load(null), [customerId, api]);

  return (
    <div class="card timeline">
      <h3>{t("timeline.title")}</h3>
      {error && <p class="error" role="alert">{error}</p>}
      <ol>
        {items.map((i) => (
          <li key={i.seq}>
            <time class="muted" dateTime={new Date(i.at * 1000).toISOString()}>{formatDateTime(lang, i.at)}</time>
            <span class="kind">{t(`timeline.${i.kind}`)}{i.channel ? ` · ${t(`channel.${i.channel}`)}` : ""}
              {i.detail?.speaker ? ` · ${t(`timeline.speaker.${i.detail.speaker}`)}` : ""}</span>
            {i.text && <span class="text" dir="auto">{i.text.length > 140 ? `${i.text.slice(0, 140)}…` : i.text}</span>}
            {i.sentiment && (
              <span class={`mood ${i.sentiment.label}`} title={String(i.sentiment.score)}>
                {t("timeline.sentiment", { label: t(`timeline.mood.${i.sentiment.label}`) })}
              </span>
            )}
          </li>
        ))}
      </ol>
      {cursor && <button type="button" class="btn ghost small" onClick={() => load(cursor)}>{t("timeline.more")}</button>}
    </div>
  );
}
