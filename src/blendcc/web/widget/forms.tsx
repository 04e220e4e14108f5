// The pre-chat form (who the customer is: answers become routing attributes) and the offline form.
import { useState } from "preact/hooks";
import type { JSX } from "preact";
import { isKnown, languageName, type Translate } from "./i18n";
import { HttpError, type Config, type PreChat } from "./protocol";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ()./-]{5,20}$/;

function Field(props: { id: string; label: string; children: JSX.Element; hint?: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <p class="hint" id={`${props.id}-hint`}>{props.hint}</p>}
    </div>
  );
}

function value(e: Event): string {
  return (e.currentTarget as HTMLInputElement).value;
}

export function PreChatForm(props: {
  t: Translate; config: Config; language: string; onLanguage(lang: string): void; onStart(form: PreChat): Promise<void>;
}) {
  const { t, config } = props;
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [phone, setPhone] = useState("");
  const [topic, setTopic] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const languages = config.languages.filter(isKnown);

  async function submit(e: Event) {
    e.preventDefault();
    const problem = !name.trim() ? t("need_name")
      : !email.trim() && !phone.trim() ? t("need_contact")
        : email.trim() && !EMAIL.test(email.trim()) ? t("invalid_email")
          : phone.trim() && !PHONE.test(phone.trim()) ? t("invalid_phone") : null;
    setError(problem);
    if (problem) return;
    setBusy(true);
    try {
      await props.onStart({
        name: name.trim(), email: email.trim() || null, phone: phone.trim() || null, topic: topic || null, language: props.language,
      });
    } catch (exc) {
      setError(exc instanceof HttpError && exc.status === 422 ? exc.message : t("error_generic"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form" onSubmit={submit} onInput={() => error && setError(null)} noValidate aria-describedby="bcc-prechat-intro">
      <p id="bcc-prechat-intro" class="intro">{t("prechat_intro")}</p>
      <Field id="bcc-name" label={t("name")}>
        <input id="bcc-name" dir={name ? "auto" : undefined} name="name" autocomplete="name" maxLength={100} required value={name} onInput={(e) => setName(value(e))} />
      </Field>
      <p class="hint" id="bcc-contact-hint">{t("contact_hint")}</p>
      <Field id="bcc-email" label={t("email")}>
        <input id="bcc-email" name="email" type="email" autocomplete="email" maxLength={254} aria-describedby="bcc-contact-hint"
          value={email} onInput={(e) => setEmail(value(e))} />
      </Field>
      <Field id="bcc-phone" label={t("phone")}>
        <input id="bcc-phone" name="phone" type="tel" autocomplete="tel" maxLength={20} aria-describedby="bcc-contact-hint"
          value={phone} onInput={(e) => setPhone(value(e))} />
      </Field>
      {config.topics.length > 0 && (
        <Field id="bcc-topic" label={t("topic")}>
          <select id="bcc-topic" name="topic" value={topic} onChange={(e) => setTopic(value(e))}>
            <option value="">{t("topic_none")}</option>
            {config.topics.map((tp) => <option key={tp.id} value={tp.id}>{tp.label}</option>)}
          </select>
        </Field>
      )}
      {languages.length > 1 && (
        <Field id="bcc-language" label={t("language")}>
          <select id="bcc-language" name="language" value={props.language} onChange={(e) => props.onLanguage(value(e))}>
            {languages.map((l) => <option key={l} value={l} lang={l}>{languageName(l)}</option>)}
          </select>
        </Field>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <button class="primary" type="submit" disabled={busy}>{t("start_chat")}</button>
    </form>
  );
}

export function OfflineForm(props: {
  t: Translate; config: Config; onSend(form: { name: string; email: string; topic: string | null; message: string }): Promise<string>;
}) {
  const { t, config } = props;
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [topic, setTopic] = useState("");
  const [message, setMessage] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [reference, setReference] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (reference) return <p class="done" role="status">{t("offline_sent", { reference })}</p>;

  async function submit(e: Event) {
    e.preventDefault();
    const problem = !name.trim() ? t("need_name") : !EMAIL.test(email.trim()) ? t("invalid_email")
      : !message.trim() ? t("need_message") : null;
    setError(problem);
    if (problem) return;
    setBusy(true);
    try {
      setReference(await props.onSend({ name: name.trim(), email: email.trim(), topic: topic || null, message: message.trim() }));
    } catch (exc) {
      setError(exc instanceof HttpError && exc.status === 422 ? exc.message : t("error_generic"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form" onSubmit={submit} onInput={() => error && setError(null)} noValidate>
      <h3 class="subtitle">{t("offline_title")}</h3>
      {config.closed_reason && <p class="intro">{config.closed_reason}</p>}
      <p class="intro">{t("offline_intro")}</p>
      <Field id="bcc-off-name" label={t("name")}>
        <input id="bcc-off-name" name="name" autocomplete="name" maxLength={100} value={name} onInput={(e) => setName(value(e))} />
      </Field>
      <Field id="bcc-off-email" label={t("email")}>
        <input id="bcc-off-email" name="email" type="email" autocomplete="email" maxLength={254} value={email}
          onInput={(e) => setEmail(value(e))} />
      </Field>
      {config.topics.length > 0 && (
        <Field id="bcc-off-topic" label={t("topic")}>
          <select id="bcc-off-topic" name="topic" value={topic} onChange={(e) => setTopic(value(e))}>
            <option value="">{t("topic_none")}</option>
            {config.topics.map((tp) => <option key={tp.id} value={tp.id}>{tp.label}</option>)}
          </select>
        </Field>
      )}
      <Field id="bcc-off-message" label={t("offline_message")}>
        <textarea id="bcc-off-message" dir={message ? "auto" : undefined} name="message" rows={5} maxLength={10000} value={message} onInput={(e) => setMessage(value(e))} />
      </Field>
      {error && <p class="error" role="alert">{error}</p>}
      <button class="primary" type="submit" disabled={busy}>{t("offline_send")}</button>
    </form>
  );
}
