// The agent grid's cells: state with its reason, current contacts, adherence; words, not colour alone.
import type { T } from "../../types";
import { formatPercent } from "../../ui/format";
import type { GridRow } from "./model";

/** A catalogue label for a code (state, reason, channel, activity), or the code itself if there is none. */
export function labelOf(t: T, prefix: string, code: string): string {
  const key = `grid.${prefix}_${code}`;
  const text = t(key);
  return text === key ? code : text;
}

export function stateText(t: T, r: Pick<GridRow, "state" | "reason">): string {
  const state = labelOf(t, "state", r.state);
  return r.state === "aux" && r.reason ? t("grid.state_with_reason", { state, reason: labelOf(t, "reason", r.reason) }) : state;
}

export function StateCell({ row, t }: { row: GridRow; t: T }) {
  return <span class={`grid-state grid-state-${row.state}`}>{stateText(t, row)}</span>;
}

const STAGE_NOTE: Record<string, string> = { held: "grid.contact_held", reserved: "grid.contact_ringing", wrap_up: "grid.contact_wrap" };

export function ContactsCell({ row, t }: { row: GridRow; t: T }) {
  if (!row.contacts.length) return <span class="muted">{t("grid.none")}</span>;
  return (
    <ul class="grid-contacts">
      {row.contacts.map((c) => (
        <li key={c.contact_id} title={c.contact_id}>
          {t("grid.contact_item", { channel: labelOf(t, "channel", c.channel), queue: c.queue_id ?? "–" })}
          {STAGE_NOTE[c.stage] && <span class="muted"> ({t(STAGE_NOTE[c.stage])})</span>}
        </li>
      ))}
    </ul>
  );
}

export function AdherenceCell({ row, t, lang }: { row: GridRow; t: T; lang: string }) {
  const a = row.adherence;
  const today = a.today === null ? null : t("grid.adh_today", { percent: formatPercent(lang, a.today) });
  if (a.scheduled === null) {
    return <span class="muted">{t("grid.adh_unscheduled")}{today && <><br />{today}</>}</span>;
  }
  const activity = labelOf(t, "activity", a.scheduled);
  return (
    <span class={a.in_adherence ? "grid-adh-in" : "grid-adh-out"}>
      <span aria-hidden="true">{a.in_adherence ? "✓ " : "⚠ "}</span>
      {a.in_adherence ? t("grid.adh_in", { activity }) : t("grid.adh_out", { activity })}
      {today && <><br /><span class="muted">{today}</span></>}
    </span>
  );
}
