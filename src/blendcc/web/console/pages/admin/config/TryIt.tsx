// "Try it": a sample contact through the draft routing workflow (which filter, queue and priority), or a
// caller's key presses through the draft IVR flow (the nodes walked and the choices carried into routing).
import { useState } from "preact/hooks";
import { errorText } from "../../../../shared/http";
import type { PageProps } from "../../../types";

const CHANNELS = ["voice", "chat", "sms", "email", "social"];

interface Trial { filter: string; queue_id: string; priority: number; steps: { queue_id: string; priority: number | null; timeout_s: number | null }[] }
interface IvrRun { session: { status: string; node: string | null; ivr: Record<string, string>; path: string[]; outcome: string | null } }

function pairs(text: string): Record<string, string> {
  return Object.fromEntries(text.split(/[\n,]/).map((l) => l.split("=").map((x) => x.trim())).filter((p) => p[0] && p.length === 2));
}

export function TryWorkflow({ api, t, doc }: Pick<PageProps, "api" | "t"> & { doc: unknown }) {
  const [c, setC] = useState({ channel: "voice", caller_id: "", ivr: "", text: "", priority: "0" });
  const [result, setResult] = useState<Trial | null>(null);
  const [error, setError] = useState("");
  const run = async () => {
    setError("");
    try {
      setResult(await api.post<Trial>("/api/config/workflows/_try", { workflow: doc, contact: {
        channel: c.channel, caller_id: c.caller_id || null, ivr: pairs(c.ivr), text: c.text || null,
        priority: Number(c.priority) || 0 } }));
    } catch (e) {
      setResult(null);
      setError(errorText(e));
    }
  };
  const input = (name: keyof typeof c, label: string, type = "text") => (
    <label class="field"><span>{label}</span>
      <input type={type} value={c[name]} onInput={(e) => setC({ ...c, [name]: e.currentTarget.value })} /></label>
  );
  return (
    <section class="try" aria-labelledby="adm-try-h">
      <h2 id="adm-try-h">{t("adm.try")}</h2>
      <p class="muted">{t("adm.try_intro")}</p>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); void run(); }}>
        <div class="field"><label for="try-channel">{t("adm.try_channel")}</label>
          <select id="try-channel" value={c.channel} onChange={(e) => setC({ ...c, channel: e.currentTarget.value })}>
            {CHANNELS.map((ch) => <option key={ch} value={ch}>{t(`choice.${ch}`)}</option>)}
          </select></div>
        {input("caller_id", t("adm.try_caller"))}
        {input("ivr", t("adm.try_ivr"))}
        {input("text", t("adm.try_text"))}
        {input("priority", t("adm.try_priority"), "number")}
        <button type="submit" class="btn">{t("adm.try_run")}</button>
      </form>
      <div role="status" aria-live="polite">
        {error && <p class="banner error">{error}</p>}
        {result && (
          <div class="banner ok">
            <strong>{t("adm.try_result", { queue: result.queue_id, priority: result.priority, filter: result.filter })}</strong>
            {result.steps.length > 1 && (
              <ol>{result.steps.map((s, i) => (
                <li key={i}>{t("adm.try_step", { queue: s.queue_id, timeout: s.timeout_s ?? "∞" })}</li>))}</ol>
            )}
          </div>
        )}
      </div>
    </section>
  );
}

export function TryIvr({ api, t, doc }: Pick<PageProps, "api" | "t"> & { doc: unknown }) {
  const [keys, setKeys] = useState("");
  const [caller, setCaller] = useState("");
  const [result, setResult] = useState<IvrRun | null>(null);
  const [error, setError] = useState("");
  const run = async () => {
    setError("");
    try {
      setResult(await api.post<IvrRun>("/api/ivr/simulate", {
        flow: doc, caller_id: caller || null, inputs: keys.split(/\s+/).filter(Boolean) }));
    } catch (e) {
      setResult(null);
      setError(errorText(e));
    }
  };
  return (
    <section class="try" aria-labelledby="adm-try-h">
      <h2 id="adm-try-h">{t("adm.try")}</h2>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); void run(); }}>
        <label class="field"><span>{t("adm.try_keys")}</span>
          <input value={keys} onInput={(e) => setKeys(e.currentTarget.value)} /></label>
        <label class="field"><span>{t("adm.try_caller")}</span>
          <input value={caller} onInput={(e) => setCaller(e.currentTarget.value)} /></label>
        <button type="submit" class="btn">{t("adm.try_run")}</button>
      </form>
      <div role="status" aria-live="polite">
        {error && <p class="banner error">{error}</p>}
        {result && (
          <p class="banner ok">{t("adm.try_ivr_result", {
            path: result.session.path.join(" → "), status: result.session.outcome ?? result.session.status,
            choices: Object.entries(result.session.ivr).map(([k, v]) => `${k}=${v}`).join(", ") || "—" })}</p>
        )}
      </div>
    </section>
  );
}

/** The names and functions a filter's expression may use (GET /api/config/_reference). */
export function ExpressionHelp({ api, t }: Pick<PageProps, "api" | "t">) {
  const [ref, setRef] = useState<{ names: Record<string, string>; functions: Record<string, string> } | null>(null);
  const [error, setError] = useState("");
  const open = (e: Event) => {
    if ((e.currentTarget as HTMLDetailsElement).open && !ref) {
      api.get<{ names: Record<string, string>; functions: Record<string, string> }>("/api/config/_reference")
        .then(setRef, (x: unknown) => setError(errorText(x)));
    }
  };
  return (
    <details class="expr-help" onToggle={open}>
      <summary>{t("adm.expr_help")}</summary>
      {error && <p class="banner error">{error}</p>}
      {ref && (
        <dl>
          {Object.entries({ ...ref.names, ...ref.functions }).map(([k, v]) => [<dt key={`t-${k}`}><code>{k}</code></dt>, <dd key={`d-${k}`}>{v}</dd>])}
        </dl>
      )}
    </details>
  );
}
