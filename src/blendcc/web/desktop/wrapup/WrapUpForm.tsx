// The wrap-up form: a disposition (codes from GET /api/agent/contacts/{id}/wrapup-options, a free code
// when the server has none), notes, an optional callback (date-time, personal or for the queue) and the
// wrap-up countdown; POST /api/agent/contacts/{id}/wrapup.
import { useEffect, useState } from "preact/hooks";
import type { Api, T, WorkItem } from "../types";
import { errorText } from "../../shared/http";
import { formatDuration } from "../i18n";
import { useNow } from "../hooks";
import { clearDraft } from "../drafts";

/** `GET /api/agent/contacts/{id}/wrapup-options` (docs/agent-desktop.md). */
interface Options {
  dispositions: { code: string; label?: string }[];
  disposition_required?: boolean;
  notes_required?: boolean;
  wrap_up_until?: number | null;
  /** whether a callback can be scheduled from this wrap-up (and the number it would dial) */
  callback?: { possible: boolean; phone: string | null; reason: string | null; disposition: string | null };
}

interface Props {
  item: WorkItem;
  api: Api;
  t: T;
  lang: string;
  skew: number;
  onClose(): void;
  onDone(): void;
  onError(e: unknown): void;
}

export function WrapUpForm({ item, api, t, lang, skew, onClose, onDone }: Props) {
  const now = useNow(skew);
  const [options, setOptions] = useState<Options | null>(null);
  const [disposition, setDisposition] = useState("");
  const [notes, setNotes] = useState("");
  const [callback, setCallback] = useState("");
  const [personal, setPersonal] = useState(true);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const cid = encodeURIComponent(item.contact_id);

  useEffect(() => {
    api.get<Options>(`/api/agent/contacts/${cid}/wrapup-options`)
      .then(setOptions)
      .catch(() => setOptions({ dispositions: [] })); // no options on this server: a free code
  }, [api, cid]);

  const until = options?.wrap_up_until ?? item.wrap_until;
  const cb = options?.callback;
  const codes = options?.dispositions ?? [];

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    const body: Record<string, unknown> = { disposition: disposition.trim() || null, notes: notes.trim() || null };
    if (callback && cb?.possible) {
      body.callback_at = new Date(callback).getTime() / 1000;
      body.callback_personal = personal;
      if (!body.disposition && cb.disposition) body.disposition = cb.disposition; // a campaign's callback code
    }
    try {
      await api.post(`/api/agent/contacts/${cid}/wrapup`, body);
      clearDraft(item.contact_id); // the conversation is done: its unsent reply goes too
      onClose();
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const titleId = `wrap-title-${item.contact_id}`;
  return (
    <form class="card wrapup" onSubmit={submit} aria-labelledby={titleId}>
      <div class="wrapup-head">
        <h2 id={titleId}>{t("wrap.title")}</h2>
        {until ? (
          <span class="countdown" role="timer" aria-label={t("wrap.timer")}>
            {t("wrap.left", { time: formatDuration(lang, until - now) })}
          </span>
        ) : null}
      </div>
      <label class="field">
        <span>{t("wrap.disposition")}</span>
        {codes.length > 0 ? (
          <select required={options?.disposition_required !== false} value={disposition} onChange={(e) => setDisposition((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t("wrap.pick")}</option>
            {codes.map((c) => <option key={c.code} value={c.code}>{c.label || c.code}</option>)}
          </select>
        ) : (
          <input value={disposition} maxLength={64} placeholder={t("wrap.code_placeholder")}
                 onInput={(e) => setDisposition((e.currentTarget as HTMLInputElement).value)} />
        )}
      </label>
      <label class="field">
        <span>{t("wrap.notes")}</span>
        <textarea rows={3} value={notes} required={!!options?.notes_required} maxLength={10000}
                  onInput={(e) => setNotes((e.currentTarget as HTMLTextAreaElement).value)} />
      </label>
      {cb && !cb.possible && cb.reason && <p class="muted">{t("wrap.no_callback", { reason: cb.reason })}</p>}
      {cb?.possible && (
        <fieldset class="callback">
          <legend>{cb.phone ? t("wrap.callback_to", { phone: cb.phone }) : t("wrap.callback")}</legend>
          <label class="field">
            <span>{t("wrap.callback_at")}</span>
            <input type="datetime-local" value={callback} onInput={(e) => setCallback((e.currentTarget as HTMLInputElement).value)} />
          </label>
          <label class="toggle">
            <input type="checkbox" checked={personal} onChange={(e) => setPersonal((e.currentTarget as HTMLInputElement).checked)} />
            <span>{t("wrap.callback_personal")}</span>
          </label>
        </fieldset>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions">
        <button type="submit" class="btn primary" disabled={busy}>{t("wrap.submit")}</button>
        {item.stage !== "wrap_up" && <button type="button" class="btn ghost" onClick={onClose}>{t("cancel")}</button>}
      </div>
    </form>
  );
}
