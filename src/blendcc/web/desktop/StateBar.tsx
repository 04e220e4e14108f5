// The state bar: sign in to / out of the queues, available, aux with a reason, the wrap-up countdown,
// time in the current state (a ticking clock), and today's own handled / AHT / occupancy.
import { useState } from "preact/hooks";
import type { AgentView, Api, T } from "./types";
import { formatDuration, formatNumber, formatPercent } from "./i18n";
import { useNow } from "./hooks";

/** `GET /api/agent/today` (the agent's own figures since midnight). */
export interface Today {
  handled: number;
  aht_s: number | null;
  occupancy: number | null;
  aux_reasons?: string[];
}

/** The documented aux reason codes (domain/agent.py AUX_REASONS; "missed" is set by the system). */
export const AUX_REASONS = ["break", "lunch", "meeting", "training", "personal", "coaching"];

interface Props {
  view: AgentView;
  api: Api;
  t: T;
  lang: string;
  skew: number;
  /** undefined: loading; null: not available on this server */
  today: Today | null | undefined;
  onView(v: AgentView): void;
  onError(e: unknown): void;
}

export function StateBar({ view, api, t, lang, skew, today, onView, onError }: Props) {
  const now = useNow(skew);
  const [busy, setBusy] = useState(false);
  const reasons = today?.aux_reasons?.length ? today.aux_reasons : AUX_REASONS;
  const wrapUntil = Math.max(0, ...view.work.map((w) => (w.stage === "wrap_up" && w.wrap_until ? w.wrap_until : 0)));

  const call = async (path: string, body?: unknown) => {
    setBusy(true);
    try {
      onView(await api.post<AgentView>(path, body));
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };

  const stateLabel = !view.logged_in ? t("state.offline")
    : view.state === "aux" || (view.presence === "aux" && view.state !== "busy")
      ? t("state.aux_reason", { reason: view.reason ? t(`reason.${view.reason}`) : t("state.aux") })
      : t(`state.${view.state}`);
  const aux = view.presence === "aux" ? view.reason ?? "" : "";
  // a reason the list does not hold (set by the system, e.g. "missed", or a queued aux while busy) still
  // shows a label: the catalogue's when it has one, else the plain "Not available"
  const reasonLabel = (r: string): string => {
    const label = t(`reason.${r}`);
    return label && label !== `reason.${r}` ? label : t("state.aux");
  };
  const dash = "—";

  return (
    <div class="statebar" role="group" aria-label={t("state.label")}>
      <span class={`state-pill state-${view.logged_in ? view.state : "offline"}`} data-testid="agent-state">
        <span class="dot" aria-hidden="true" />
        {stateLabel}
        <span class="clock" aria-label={t("state.time_in")}>{formatDuration(lang, now - view.since)}</span>
      </span>
      {wrapUntil > 0 && (
        <span class="wrap-timer" role="timer" aria-label={t("wrap.timer")}>
          {t("wrap.left", { time: formatDuration(lang, wrapUntil - now) })}
        </span>
      )}
      {!view.logged_in ? (
        <button type="button" class="btn primary" disabled={busy} onClick={() => void call("/api/agent/login", { status: "available" })}>
          {t("state.login")}
        </button>
      ) : (
        <>
          <button type="button" class="btn" disabled={busy || (view.presence === "available")}
                  aria-pressed={view.presence === "available"}
                  onClick={() => void call("/api/agent/status", { status: "available" })}>
            {t("state.go_available")}
          </button>
          <label class="aux-select">
            <span class="sr-only">{t("state.aux_label")}</span>
            <select aria-label={t("state.aux_label")} value={aux} disabled={busy}
                    onChange={(e) => {
                      const reason = (e.currentTarget as HTMLSelectElement).value;
                      if (reason) void call("/api/agent/status", { status: "aux", reason });
                    }}>
              <option value="">{t("state.aux_pick")}</option>
              {aux && !reasons.includes(aux) && <option value={aux}>{reasonLabel(aux)}</option>}
              {reasons.map((r) => <option key={r} value={r}>{reasonLabel(r)}</option>)}
            </select>
          </label>
          <button type="button" class="btn ghost" disabled={busy} onClick={() => void call("/api/agent/logout")}>
            {t("state.logout")}
          </button>
        </>
      )}
      <dl class="today" aria-label={t("today.label")}>
        <div><dt>{t("today.handled")}</dt><dd>{today ? formatNumber(lang, today.handled) : dash}</dd></div>
        <div><dt>{t("today.aht")}</dt><dd>{today && today.aht_s != null ? formatDuration(lang, today.aht_s) : dash}</dd></div>
        <div><dt>{t("today.occupancy")}</dt><dd>{today && today.occupancy != null ? formatPercent(lang, today.occupancy) : dash}</dd></div>
      </dl>
    </div>
  );
}
