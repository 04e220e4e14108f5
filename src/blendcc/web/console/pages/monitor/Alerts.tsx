// The open alerts (SL breach, long wait, out of adherence, abandon spike, negative sentiment), pushed on /ws/supervisor (stream
// "alert"), each acknowledged once by a supervisor; an acknowledged alert stays so until it clears.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import { formatDuration, formatWhen, percentOrDash } from "../../ui/format";
import type { PageProps } from "../../types";
import type { Alert } from "./types";

export function useAlerts({ api, socket }: Pick<PageProps, "api" | "socket">) {
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [error, setError] = useState("");
  useEffect(() => {
    const load = () => api.get<{ alerts: Alert[] }>("/api/supervisor/alerts").then(
      (r) => { setAlerts(r.alerts); setError(""); }, (e: unknown) => setError(errorText(e)));
    load();
    const offSnap = socket.on("snapshot", load);
    const offAlert = socket.on("alert", (f) => {
      const a = f as unknown as Alert & { type: string };
      setAlerts((list) => {
        const rest = list.filter((x) => x.id !== a.id);
        if (a.type === "AlertCleared") return rest;
        if (a.type !== "AlertRaised" && !list.some((x) => x.id === a.id)) return list;
        return [...rest, a].sort((x, y) => x.raised_at - y.raised_at || Number(x.id) - Number(y.id));
      });
    });
    return () => { offSnap(); offAlert(); };
  }, [api, socket]);
  return { alerts, error, setAlerts };
}

function what(a: Alert, p: Pick<PageProps, "t" | "lang">): string {
  const { t, lang } = p;
  switch (a.kind) {
    case "sl_breach":
      return t("mon.alert.sl_breach", { queue: a.subject, value: percentOrDash(lang, a.value), target: percentOrDash(lang, a.threshold) });
    case "long_wait":
      return t("mon.alert.long_wait", { queue: a.subject, value: formatDuration(lang, a.value ?? 0), target: formatDuration(lang, a.threshold ?? 0) });
    case "abandon_spike":
      return t("mon.alert.abandon_spike", { queue: a.subject, value: percentOrDash(lang, a.value), target: percentOrDash(lang, a.threshold) });
    case "out_of_adherence":
      return t("mon.alert.out_of_adherence", { agent: a.subject, value: formatDuration(lang, a.value ?? 0),
        activity: a.detail.activity ?? "?", state: a.detail.state ?? "?" });
    case "negative_sentiment": {
      const num = (v: number | null) => (v === null ? "-" : new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(v));
      const key = a.detail.source === "call_transcript" ? "mon.alert.negative_call" : "mon.alert.negative_sentiment";
      return t(key, { contact: a.subject, value: num(a.value), target: num(a.threshold) });
    }
    case "low_survey_score":
      return t("mon.alert.low_survey_score", { contact: a.subject, survey: String(a.detail.survey ?? "").toUpperCase(),
        value: new Intl.NumberFormat(lang).format(a.value ?? 0), agent: String(a.detail.agent_id ?? "-") });
    default:
      return a.kind;
  }
}

export function AlertList(props: Pick<PageProps, "api" | "t" | "lang" | "ctx"> & { alerts: Alert[]; error: string;
                                                                                   onAck(a: Alert): void }) {
  const { t, lang, ctx, alerts } = props;
  const [busy, setBusy] = useState("");
  const [ackError, setAckError] = useState("");
  const ack = (a: Alert) => {
    setBusy(a.id);
    props.api.post<Alert>(`/api/supervisor/alerts/${encodeURIComponent(a.id)}/ack`).then(
      (done) => { props.onAck(done); setAckError(""); }, (e: unknown) => setAckError(errorText(e))).finally(() => setBusy(""));
  };
  return (
    <section class="mon-alerts" aria-labelledby="mon-alerts-h">
      <h2 id="mon-alerts-h">{t("mon.alerts", { n: alerts.length })}</h2>
      {(props.error || ackError) && <p class="banner error" role="alert">{props.error || ackError}</p>}
      <ul class="mon-alert-list" aria-live="polite">
        {alerts.length === 0 && <li class="muted">{t("mon.alerts_none")}</li>}
        {alerts.map((a) => (
          <li key={a.id} class={`mon-alert ${a.acknowledged ? "acked" : "open"}`} data-kind={a.kind}>
            <span class="mon-alert-kind">{t(`mon.kind.${a.kind}`)}</span>
            <span class="mon-alert-text">{what(a, props)}</span>
            <span class="muted mon-alert-when">{t("mon.raised_at", { when: formatWhen(lang, a.raised_at, ctx.timezone, false) })}</span>
            {a.acknowledged
              ? <span class="mon-acked">{t("mon.acked_by", { user: a.acked_by ?? "", when: formatWhen(lang, a.acked_at ?? 0, ctx.timezone, false) })}</span>
              : <button type="button" class="btn small" disabled={busy === a.id} onClick={() => ack(a)}
                        aria-label={t("mon.ack_label", { what: what(a, props) })}>{t("mon.ack")}</button>}
          </li>
        ))}
      </ul>
    </section>
  );
}
