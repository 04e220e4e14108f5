// Campaign monitor (supervisor): every campaign's state, pacing mode, dial level, live-answer rate,
// abandonment over 24 hours and 30 days against its cap, and list penetration by record state; start, pause,
// resume and stop. Refreshed every few seconds and after each action.
import { useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatNumber, formatWhen, percentOrDash } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import type { PageProps } from "../../types";
import { useLiveRefresh } from "../intraday/useLiveRefresh";
import "./campaigns.css";

export interface Campaign {
  campaign_id: string; name: string; queue_id: string; state: string; reason: string | null; since: number | null;
  mode: string; regulatory_mode: string; abandon_cap: number; agents_staffed: number;
  calls_in_progress: number | null; dial_level: number | null; p_live: number | null;
  attempts_24h: number; live_answers_24h: number; live_answer_rate_24h: number | null;
  abandon_rate_24h: number; abandon_rate_30d: number; regulatory_rate: number; over_cap: boolean;
  records: number; records_attempted: number; penetration: number | null; records_by_state: Record<string, number>;
  outcomes_24h: Record<string, number>;
}

type Action = "start" | "pause" | "stop";

export function CampaignMonitorPage({ api, socket, t, lang, ctx }: PageProps) {
  const loaded = useLoad(() => api.get<Campaign[]>("/api/dialing/monitor"), []);
  useLiveRefresh(socket, ["agent"], loaded.reload, 5_000, 2_000);
  const [busy, setBusy] = useState("");
  const [message, setMessage] = useState({ text: "", error: false });
  const act = async (c: Campaign, action: Action) => {
    setBusy(c.campaign_id);
    try {
      const r = await api.post<{ state: string }>(`/api/campaigns/${encodeURIComponent(c.campaign_id)}/${action}`, {});
      setMessage({ text: t("campaigns.changed", { name: c.name, state: stateText(t, r.state) }), error: false });
    } catch (e) {
      setMessage({ text: errorText(e), error: true });
    } finally {
      setBusy("");
      loaded.reload();
    }
  };
  const pct = (v: number | null) => percentOrDash(lang, v, 1);
  const num = (v: number | null, d = 0) => (v === null ? "–" : formatNumber(lang, v, d));
  const rows = loaded.data ?? [];
  const figures = (c: Campaign): [string, string, boolean][] => [
    [t("campaigns.dial_level"), num(c.dial_level, 2), false],
    [t("campaigns.agents"), num(c.agents_staffed), false],
    [t("campaigns.attempts"), num(c.attempts_24h), false],
    [t("campaigns.live_rate"), pct(c.live_answer_rate_24h), false],
    [t("campaigns.abandon_24h"), pct(c.abandon_rate_24h), c.abandon_rate_24h > c.abandon_cap],
    [t("campaigns.abandon_30d"), pct(c.abandon_rate_30d), c.abandon_rate_30d > c.abandon_cap],
    [t("campaigns.cap"), pct(c.abandon_cap), false],
    [t("campaigns.penetration"), t("campaigns.penetration_value", { dialled: num(c.records_attempted), total: num(c.records), pct: pct(c.penetration) }), false],
  ];
  const button = (c: Campaign, action: Action, label: string, one: string, primary = false) => (
    <button type="button" class={primary ? "btn primary" : "btn"} disabled={busy === c.campaign_id}
            onClick={() => act(c, action)} aria-label={t(one, { name: c.name })}>{t(label)}</button>
  );
  const states = [...new Set(rows.flatMap((c) => Object.keys(c.records_by_state)))].sort();
  const penetration: Column<Campaign>[] = [
    { key: "name", label: t("campaigns.name"), header: true, sort: (c) => c.name },
    { key: "records", label: t("campaigns.records"), numeric: true, sort: (c) => c.records, cell: (c) => num(c.records) },
    ...states.map((s): Column<Campaign> => ({
      key: `s-${s}`, label: recordStateText(t, s), numeric: true, sort: (c) => c.records_by_state[s] ?? 0,
      cell: (c) => num(c.records_by_state[s] ?? 0) })),
  ];
  const kinds = [...new Set(rows.flatMap((c) => Object.keys(c.outcomes_24h)))].sort();
  const outcomes: Column<Campaign>[] = [
    { key: "name", label: t("campaigns.name"), header: true, sort: (c) => c.name },
    { key: "attempts", label: t("campaigns.attempts"), numeric: true, sort: (c) => c.attempts_24h, cell: (c) => num(c.attempts_24h) },
    ...kinds.map((k): Column<Campaign> => ({
      key: `o-${k}`, label: outcomeText(t, k), numeric: true, sort: (c) => c.outcomes_24h[k] ?? 0,
      cell: (c) => num(c.outcomes_24h[k] ?? 0) })),
  ];
  return (
    <section aria-labelledby="campaigns-h" class="campaigns">
      <h1 id="campaigns-h">{t("nav.campaign_monitor")}</h1>
      <p class="muted">{t("campaigns.intro")}</p>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      <p role="status" class={message.error ? "banner error" : "campaigns-message"}>{message.text}</p>
      {loaded.data && (
        <>
          {rows.length === 0 && <p class="muted">{t("campaigns.none")}</p>}
          <div class="campaign-cards">
            {[...rows].sort((a, b) => a.name.localeCompare(b.name, lang)).map((c) => (
              <article key={c.campaign_id} class={`campaign-card${c.over_cap ? " over" : ""}`} aria-labelledby={`cm-${c.campaign_id}`}>
                <header>
                  <h2 id={`cm-${c.campaign_id}`}>{c.name}</h2>
                  <span class={`state state-${c.state}`}>{stateText(t, c.state)}</span>
                  <span class="muted">{modeText(t, c.mode)}</span>
                </header>
                {c.since !== null && <p class="muted since">{t("campaigns.since", { when: formatWhen(lang, c.since, ctx.timezone) })}</p>}
                {c.over_cap && <p class="banner error">{t("campaigns.over_cap_note", { cap: pct(c.abandon_cap) })}</p>}
                <dl class="campaign-figures">
                  {figures(c).map(([label, value, bad]) => (
                    <div key={label} class={bad ? "bad" : undefined}><dt>{label}</dt><dd>{value}{bad && <span class="sr-only"> ({t("campaigns.over_cap")})</span>}</dd></div>
                  ))}
                </dl>
                <div class="campaign-actions">
                  {c.state === "running" && button(c, "pause", "campaigns.pause", "campaigns.pause_one")}
                  {c.state === "paused" && button(c, "start", "campaigns.resume", "campaigns.resume_one", true)}
                  {c.state === "stopped" && button(c, "start", "campaigns.start", "campaigns.start_one", true)}
                  {c.state !== "stopped" && button(c, "stop", "campaigns.stop", "campaigns.stop_one")}
                </div>
              </article>
            ))}
          </div>
          <h2 class="campaigns-h2">{t("campaigns.penetration_h")}</h2>
          <Table caption={t("campaigns.penetration_caption")} rows={rows} columns={penetration} t={t} lang={lang}
                 rowKey={(c) => c.campaign_id} initialSort="name" empty={t("campaigns.none")} />
          <h2 class="campaigns-h2">{t("campaigns.outcomes_h")}</h2>
          <Table caption={t("campaigns.outcomes_caption")} rows={rows} columns={outcomes} t={t} lang={lang}
                 rowKey={(c) => c.campaign_id} initialSort="name" empty={t("campaigns.none")} />
        </>
      )}
    </section>
  );
}

type Tr = PageProps["t"];

function stateText(t: Tr, state: string): string {
  return ["running", "paused", "stopped"].includes(state) ? t(`campaigns.state.${state}`) : state;
}

function modeText(t: Tr, mode: string): string {
  return ["preview", "progressive", "power", "predictive"].includes(mode) ? t(`campaigns.mode.${mode}`) : mode;
}

const RECORD_STATES = ["pending", "scheduled", "callback", "dialing", "done", "bad"];

function recordStateText(t: Tr, state: string): string {
  return RECORD_STATES.includes(state) ? t(`campaigns.record.${state}`) : state;
}

const OUTCOMES = ["human", "machine", "fax", "unknown", "busy", "no_answer", "failed", "invalid", "disconnected", "abandoned"];

function outcomeText(t: Tr, outcome: string): string {
  return OUTCOMES.includes(outcome) ? t(`campaigns.outcome.${outcome}`) : outcome;
}
