// The preview-dial card: take the next record of a preview campaign, read it, then dial it or skip it
// with a reason (the agent is held for the record until one of the two).
import { useState } from "preact/hooks";
import type { Api, T } from "../types";
import { useAction } from "../panes/common";
import type { AgentCampaign, DialRecord } from "./campaigns";

const REASONS = ["wrong_person", "bad_time", "already_customer", "duplicate", "other"];
const enc = encodeURIComponent;

export function PreviewCard(props: { api: Api; t: T; campaign: AgentCampaign | null; onAnnounce(text: string): void }) {
  const { api, t, campaign } = props;
  const campaignId = campaign?.id ?? "";
  const [record, setRecord] = useState<DialRecord | null>(null);
  const [empty, setEmpty] = useState(false);
  const [skipping, setSkipping] = useState(false);
  const [reason, setReason] = useState(REASONS[0]);
  const [other, setOther] = useState("");
  const action = useAction(t);
  const base = `/api/agent/preview/${enc(campaignId)}`;

  async function next() {
    const got = await action.run("next", () => api.get<{ record: DialRecord | null }>(base));
    if (!got) return;
    setRecord(got.record);
    setEmpty(got.record === null);
    setSkipping(false);
    props.onAnnounce(got.record ? t("out.record_ready", { phone: got.record.phone }) : t("out.no_record"));
  }

  async function dial() {
    if (!record) return;
    const ok = await action.run("dial", () => api.post(`${base}/dial`, { record_id: record.record_id }));
    if (ok !== undefined) {
      props.onAnnounce(t("out.dialling", { phone: record.phone }));
      setRecord(null);
    }
  }

  async function skip(e: Event) {
    e.preventDefault();
    if (!record) return;
    const text = reason === "other" ? other.trim() : t(`out.reason_${reason}`);
    if (!text) {
      action.setError(t("out.reason_needed"));
      return;
    }
    const ok = await action.run("skip", () => api.post(`${base}/skip`, { record_id: record.record_id, reason: text }));
    if (ok !== undefined) {
      props.onAnnounce(t("out.skipped"));
      setRecord(null);
      setSkipping(false);
    }
  }

  const fields = record ? Object.entries(record.fields) : [];
  return (
    <section class="pn-card" aria-labelledby="pn-preview-h">
      <h3 id="pn-preview-h" class="pn-h3">{t("out.preview")}</h3>
      {!record && (
        <button type="button" class="pn-btn" disabled={!campaign?.preview_dial || !!action.busy} onClick={() => void next()}>{t("out.next_record")}</button>
      )}
      {!record && campaign && campaign.mode !== "preview" && <p class="pn-hint">{t("out.not_preview")}</p>}
      {empty && !record && <p class="pn-hint">{t("out.no_record")}</p>}
      {record && (
        <div class="pn-record">
          <p class="pn-phone"><bdi dir="ltr">{record.phone}</bdi></p>
          <dl class="pn-kv">
            {fields.map(([k, v]) => <div key={k}><dt><bdi>{k}</bdi></dt><dd><bdi>{v}</bdi></dd></div>)}
            <div><dt>{t("out.attempts")}</dt><dd>{record.attempts}</dd></div>
            {record.last_outcome && <div><dt>{t("out.last_outcome")}</dt><dd>{record.last_outcome}</dd></div>}
            <div><dt>{t("out.timezone")}</dt><dd dir="ltr">{record.tz}</dd></div>
          </dl>
          <div class="pn-row">
            <button type="button" class="pn-btn pn-primary" disabled={!!action.busy} onClick={() => void dial()}>{t("out.dial")}</button>
            <button type="button" class="pn-btn" aria-expanded={skipping} disabled={!!action.busy} onClick={() => setSkipping(!skipping)}>{t("out.skip")}</button>
          </div>
          {skipping && (
            <form class="pn-form" onSubmit={skip} aria-label={t("out.skip")}>
              <label class="pn-field">
                <span>{t("out.skip_reason")}</span>
                <select value={reason} onChange={(e) => setReason((e.currentTarget as HTMLSelectElement).value)}>
                  {REASONS.map((r) => <option key={r} value={r}>{t(`out.reason_${r}`)}</option>)}
                </select>
              </label>
              {reason === "other" && (
                <label class="pn-field">
                  <span>{t("out.reason_text")}</span>
                  <input type="text" dir="auto" maxLength={200} value={other} onInput={(e) => setOther((e.currentTarget as HTMLInputElement).value)} />
                </label>
              )}
              <button type="submit" class="pn-btn" disabled={!!action.busy}>{t("out.confirm_skip")}</button>
            </form>
          )}
        </div>
      )}
      {action.error && <p class="pn-error" role="alert">{action.error}</p>}
    </section>
  );
}
