// Crisis (supervisor): the emergency modes in force with the one switch per queue or the whole centre, known-issue
// banners, and the active crises with their acknowledgement; refreshed on the supervisor socket's crisis stream.
import { useEffect, useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { errorText } from "../../../shared/http";
import { useLiveRefresh } from "../intraday/useLiveRefresh";
import { TempAgents } from "./TempAgents";
import type { PageProps } from "../../types";
import "./crisis.css";

const CENTRE = "*";
const SITE = "site:";
type Mode = "closed" | "callback_only" | "overflow";
interface Emergency { scope: string; mode: Mode; overflow_queue: string | null; message: string; since: number; by: string | null; crisis_id: string | null }
interface Banner { scope: string; text: string; crisis_id?: string | null }
interface Crisis { id: string; name: string; started_at: number; triggers: string[]; by: string | null; acknowledged_by: string | null }
interface Status { at: number; emergency: Emergency[]; banners: Banner[]; crises: Crisis[] }

export function CrisisPage({ api, socket, t, lang, ctx }: PageProps) {
  const queues = useLoad(() => api.get<{ id: string; name?: string; site?: string | null }[]>("/api/config/queues"), []);
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState<{ scope: string; mode: Mode; overflow: string; message: string }>(
    { scope: CENTRE, mode: "closed", overflow: "", message: "" });

  const load = () => { api.get<Status>("/api/crisis/status").then((s) => { setStatus(s); }, (e) => setError(errorText(e))); };
  useEffect(load, [api]);
  useLiveRefresh(socket, ["crisis"], load, 15_000, 300);

  const sites = [...new Set((queues.data ?? []).map((q) => q.site).filter((s): s is string => !!s))].sort();
  const name = (scope: string) => (scope === CENTRE ? t("crisis.centre")
    : scope.startsWith(SITE) ? t("crisis.site", { site: scope.slice(SITE.length) })
    : queues.data?.find((q) => q.id === scope)?.name || scope);
  const act = async (run: () => Promise<unknown>) => {
    setBusy(true);
    setError("");
    try { await run(); load(); } catch (e) { setError(errorText(e)); } finally { setBusy(false); }
  };
  const switchOn = (e: Event) => {
    e.preventDefault();
    void act(() => api.post(`/api/crisis/emergency/${encodeURIComponent(form.scope)}`, {
      on: true, mode: form.mode, message: form.message, overflow_queue: form.mode === "overflow" ? form.overflow || null : null }));
  };
  const end = (scope: string) => act(() => api.post(`/api/crisis/emergency/${encodeURIComponent(scope)}`, { on: false }));
  const ack = (id: string) => act(() => api.post(`/api/crisis/crises/${encodeURIComponent(id)}/ack`));

  const modes = status?.emergency ?? [];
  return (
    <section aria-labelledby="crisis-h" class="crisis">
      <h1 id="crisis-h">{t("nav.crisis")}</h1>
      <Notice error={error || queues.error} t={t} />
      <h2>{t("crisis.in_force")}</h2>
      {status && modes.length === 0 && <p class="normal" role="status">{t("crisis.normal")}</p>}
      {modes.length > 0 && (
        <ul class="modes" role="list">
          {modes.map((m) => (
            <li key={m.scope} class={`mode mode-${m.mode}`}>
              <div>
                <strong>{name(m.scope)}</strong> · {t(`crisis.mode.${m.mode}`)}
                {m.mode === "overflow" && m.overflow_queue && <> → {name(m.overflow_queue)}</>}
                {m.message && <p class="message">{m.message}</p>}
                <p class="muted">{t("crisis.since", { when: formatWhen(lang, m.since, ctx.timezone), who: m.by ?? t("crisis.playbook") })}</p>
              </div>
              <button type="button" class="btn" disabled={busy} onClick={() => void end(m.scope)}>
                {t("crisis.end", { scope: name(m.scope) })}
              </button>
            </li>
          ))}
        </ul>
      )}
      {(status?.banners ?? []).length > 0 && (
        <>
          <h2>{t("crisis.banners")}</h2>
          <ul>{status!.banners.map((b, i) => <li key={i}>{name(b.scope)}: {b.text}</li>)}</ul>
        </>
      )}
      <h2>{t("crisis.switch_on")}</h2>
      <form class="filters" onSubmit={switchOn}>
        <label class="field"><span>{t("crisis.scope")}</span>
          <select value={form.scope} onChange={(e) => setForm({ ...form, scope: (e.currentTarget as HTMLSelectElement).value })}>
            <option value={CENTRE}>{t("crisis.centre")}</option>
            {sites.map((s) => <option key={`site-${s}`} value={SITE + s}>{t("crisis.site", { site: s })}</option>)}
            {(queues.data ?? []).map((q) => <option key={q.id} value={q.id}>{q.name || q.id}</option>)}
          </select></label>
        <label class="field"><span>{t("crisis.mode")}</span>
          <select value={form.mode} onChange={(e) => setForm({ ...form, mode: (e.currentTarget as HTMLSelectElement).value as Mode })}>
            {(["closed", "callback_only", "overflow"] as Mode[]).map((m) => <option key={m} value={m}>{t(`crisis.mode.${m}`)}</option>)}
          </select></label>
        {form.mode === "overflow" && (
          <label class="field"><span>{t("crisis.overflow_to")}</span>
            <select value={form.overflow} onChange={(e) => setForm({ ...form, overflow: (e.currentTarget as HTMLSelectElement).value })}>
              <option value="">—</option>
              {(queues.data ?? []).filter((q) => q.id !== form.scope).map((q) => <option key={q.id} value={q.id}>{q.name || q.id}</option>)}
            </select></label>
        )}
        <label class="field grow"><span>{t("crisis.message")}</span>
          <input value={form.message} maxLength={1000} onInput={(e) => setForm({ ...form, message: (e.currentTarget as HTMLInputElement).value })} /></label>
        <button type="submit" class="btn primary danger" disabled={busy}>{t("crisis.switch_button")}</button>
      </form>
      <h2>{t("crisis.active")}</h2>
      {status && status.crises.length === 0 && <p class="muted">{t("crisis.none")}</p>}
      <ul class="crises">
        {(status?.crises ?? []).map((c) => (
          <li key={c.id}>
            <strong>{c.name}</strong> · {formatWhen(lang, c.started_at, ctx.timezone)}
            {c.triggers.length > 0 && <> · {c.triggers.join(", ")}</>}
            {c.acknowledged_by ? <span class="muted"> · {t("crisis.acked", { who: c.acknowledged_by })}</span>
              : <button type="button" class="btn small" disabled={busy} onClick={() => void ack(c.id)}>{t("crisis.ack")}</button>}
          </li>
        ))}
      </ul>
      <TempAgents api={api} t={t} lang={lang} ctx={ctx} />
    </section>
  );
}
