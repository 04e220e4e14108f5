// An approved WhatsApp template (name, language, body parameters): what may still be sent once the
// 24-hour reply window has closed (docs/messaging-channels.md).
import { useState } from "preact/hooks";
import type { Api, Message, T } from "../../types";
import { errorText } from "../../../shared/http";

export function TemplateForm({ contactId, api, t, onSent }: { contactId: string; api: Api; t: T; onSent(m: Message): void }) {
  const [name, setName] = useState("");
  const [language, setLanguage] = useState("en_US");
  const [params, setParams] = useState("");
  const [error, setError] = useState("");

  const send = async (e: Event) => {
    e.preventDefault();
    setError("");
    const parameters = params.split("\n").map((p) => p.trim()).filter(Boolean);
    try {
      onSent(await api.post<Message>(`/api/contacts/${encodeURIComponent(contactId)}/messages`,
        { template: { name: name.trim(), language: language.trim(), parameters } }));
      setName("");
      setParams("");
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <form class="card template-form" onSubmit={send} aria-labelledby={`tpl-${contactId}`}>
      <h3 id={`tpl-${contactId}`}>{t("template.title")}</h3>
      <label class="field"><span>{t("template.name")}</span>
        <input required pattern="[a-z0-9_]+" value={name} dir="ltr"
               onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} /></label>
      <label class="field"><span>{t("template.language")}</span>
        <input required value={language} dir="ltr" onInput={(e) => setLanguage((e.currentTarget as HTMLInputElement).value)} /></label>
      <label class="field"><span>{t("template.parameters")}</span>
        <textarea rows={2} value={params} onInput={(e) => setParams((e.currentTarget as HTMLTextAreaElement).value)} /></label>
      {error && <p class="error" role="alert">{error}</p>}
      <button type="submit" class="btn primary small">{t("template.send")}</button>
    </form>
  );
}
