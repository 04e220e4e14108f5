// The period (local dates on the centre's clock), the queue and the reasons' source; applying them changes the URL.
import { useEffect, useState } from "preact/hooks";
import { useLoad } from "../../ui/useLoad";
import type { PageProps } from "../../types";
import { SOURCES, urlOf, type Filters as F } from "./query";

export function Filters({ api, t, ctx, navigate, filters }: PageProps & { filters: F }) {
  const [draft, setDraft] = useState<F>(filters);
  useEffect(() => setDraft(filters), [JSON.stringify(filters)]);
  const queues = useLoad(() => api.get<{ id: string; name?: string }[]>("/api/config/queues"), []);
  const set = (k: keyof F) => (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value });
  const apply = (e: Event) => {
    e.preventDefault();
    navigate("analytics", urlOf(draft));
  };
  return (
    <form class="filters an-filters" onSubmit={apply} aria-label={t("an.filters")}>
      <label class="field"><span>{t("an.from")}</span>
        <input type="date" name="from" required value={draft.from} onInput={set("from")} /></label>
      <label class="field"><span>{t("an.to")}</span>
        <input type="date" name="to" required value={draft.to} onInput={set("to")} /></label>
      <label class="field"><span>{t("an.queue")}</span>
        <select name="queue_id" value={draft.queue_id} onChange={set("queue_id")}>
          <option value="">{t("an.all_queues")}</option>
          {(queues.data ?? []).map((q) => <option key={q.id} value={q.id}>{q.name || q.id}</option>)}
        </select></label>
      <label class="field"><span>{t("an.source")}</span>
        <select name="source" value={draft.source} onChange={set("source")}>
          {SOURCES.map((s) => <option key={s} value={s}>{t(`an.source.${s}`)}</option>)}
        </select></label>
      <p class="rep-tz muted">{t("an.tz", { tz: ctx.timezone })}</p>
      <button type="submit" class="btn primary">{t("an.apply")}</button>
    </form>
  );
}
