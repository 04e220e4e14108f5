// Prompts (admin): every prompt with a player; upload a WAV; text-to-speech (espeak-ng on the server) with a
// preview before it is used in a flow; delete.
import { useEffect, useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatNumber } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { errorText } from "../../../shared/http";
import type { Api } from "../../../shared/http";
import type { PageProps } from "../../types";
import "../wfm/wfm.css";

interface Prompt { id: string; source: string; seconds: number; text: string | null; language: string | null; name: string | null }

/** An audio element playing a prompt (fetched with the bearer token, shown through a blob: URL). */
function Player({ api, id, label }: { api: Api; id: string; label: string }) {
  const [url, setUrl] = useState("");
  useEffect(() => {
    let made = "";
    api.blob?.(`/api/ivr/prompts/${encodeURIComponent(id)}/audio`).then((b) => { made = URL.createObjectURL(b); setUrl(made); }, () => setUrl(""));
    return () => { if (made) URL.revokeObjectURL(made); };
  }, [id]);
  return url ? <audio controls preload="none" src={url} aria-label={label} /> : null;
}

export function PromptsPage({ api, t, lang }: PageProps) {
  const [serial, setSerial] = useState(0);
  const prompts = useLoad(() => api.get<Prompt[]>("/api/ivr/prompts"), [serial]);
  const [file, setFile] = useState<File | null>(null);
  const [uploadId, setUploadId] = useState("");
  const [tts, setTts] = useState({ text: "", language: lang === "fa" ? "fa" : "en", id: "" });
  const [error, setError] = useState("");
  const [done, setDone] = useState("");
  const [preview, setPreview] = useState<Prompt | null>(null);
  const act = async (work: () => Promise<string>) => {
    setError("");
    setDone("");
    try {
      setDone(await work());
      setSerial((n) => n + 1);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const cols: Column<Prompt>[] = [
    { key: "id", label: t("lists.pr.id"), header: true, sort: (p) => p.id, cell: (p) => <code>{p.id}</code> },
    { key: "source", label: t("lists.pr.source"), sort: (p) => p.source, cell: (p) => t(`lists.pr.source_${p.source === "tts" ? "tts" : "upload"}`) },
    { key: "text", label: t("lists.pr.text"), sort: (p) => p.text ?? p.name ?? "", cell: (p) => p.text ?? p.name ?? "" },
    { key: "seconds", label: t("lists.pr.seconds"), numeric: true, sort: (p) => p.seconds, cell: (p) => formatNumber(lang, p.seconds, 1) },
    { key: "play", label: t("lists.pr.play"), cell: (p) => <Player api={api} id={p.id} label={t("lists.pr.play_n", { id: p.id })} /> },
    { key: "delete", label: t("lists.actions"), cell: (p) => (
      <button type="button" class="btn small" aria-label={t("lists.pr.delete_n", { id: p.id })}
              onClick={() => { if (confirm(t("lists.pr.confirm", { id: p.id }))) void act(async () => { await api.del(`/api/ivr/prompts/${encodeURIComponent(p.id)}`); return t("lists.pr.deleted", { id: p.id }); }); }}>
        {t("lists.pr.delete")}</button>
    ) },
  ];
  return (
    <section aria-labelledby="pr-h" class="lists">
      <h1 id="pr-h">{t("nav.prompts")}</h1>
      <h2>{t("lists.pr.upload_h")}</h2>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); if (file) void act(async () => {
        const form = new FormData();
        form.append("file", file, file.name);
        if (uploadId) form.append("prompt_id", uploadId);
        const p = await api.upload<Prompt>("/api/ivr/prompts", form);
        return t("lists.pr.saved", { id: p.id });
      }); }}>
        <label class="field"><span>{t("lists.pr.wav")}</span>
          <input type="file" accept=".wav,audio/wav,audio/x-wav" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} /></label>
        <label class="field"><span>{t("lists.pr.id_optional")}</span>
          <input dir="ltr" pattern="[A-Za-z0-9_.\-]+" value={uploadId} onInput={(e) => setUploadId((e.currentTarget as HTMLInputElement).value)} /></label>
        <button type="submit" class="btn primary" disabled={!file}>{t("lists.upload")}</button>
      </form>
      <h2>{t("lists.pr.tts_h")}</h2>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); void act(async () => {
        const p = await api.post<Prompt>("/api/ivr/prompts", { text: tts.text, language: tts.language });
        setPreview(p);
        return t("lists.pr.saved", { id: p.id });
      }); }}>
        <label class="field grow"><span>{t("lists.pr.text")}</span>
          <input required value={tts.text} onInput={(e) => setTts({ ...tts, text: (e.currentTarget as HTMLInputElement).value })} /></label>
        <label class="field"><span>{t("lists.pr.language")}</span>
          <input dir="ltr" size={5} value={tts.language} onInput={(e) => setTts({ ...tts, language: (e.currentTarget as HTMLInputElement).value })} /></label>
        <button type="submit" class="btn">{t("lists.pr.speak")}</button>
      </form>
      <p class="muted">{t("lists.pr.tts_hint")}</p>
      {preview && <p>{t("lists.pr.preview", { id: preview.id })} <Player api={api} id={preview.id} label={t("lists.pr.play_n", { id: preview.id })} /></p>}
      <Notice error={error} t={t} />
      {done && <p role="status" class="banner ok">{done}</p>}
      <Notice error={prompts.error} loading={prompts.loading && !prompts.data} t={t} retry={prompts.reload} />
      {prompts.data && <Table caption={t("lists.pr.caption")} rows={prompts.data} columns={cols} t={t} lang={lang} rowKey={(p) => p.id} />}
    </section>
  );
}
