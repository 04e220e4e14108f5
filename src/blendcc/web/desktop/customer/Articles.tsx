// Knowledge-base articles beside the open conversation: suggestions from what the customer wrote (the server
// searches the contact's last customer messages), a search box, and an article opened in place.
import { useEffect, useState } from "preact/hooks";
import type { Api, T } from "../types";
import { errorText } from "../../shared/http";
import { KB_INSERT, articleLink, recordUse, type KbInsert } from "../kbUse";

interface Hit { id: string; lang: string; title: string; snippet: string }
interface Article { id: string; lang: string; title: string; html: string | null }

interface Props { contactId: string; api: Api; t: T }

export function Articles({ contactId, api, t }: Props) {
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [words, setWords] = useState<string[]>([]);
  const [query, setQuery] = useState("");
  const [searched, setSearched] = useState("");
  const [open, setOpen] = useState<Article | null>(null);
  const [error, setError] = useState("");

  const suggest = () => {
    setError("");
    setSearched("");
    api.get<{ words: string[]; hits: Hit[] }>(`/api/kb/suggest/${encodeURIComponent(contactId)}`)
      .then((r) => { setWords(r.words); setHits(r.hits); })
      .catch((e) => setError(errorText(e)));
  };
  useEffect(() => { setOpen(null); setQuery(""); suggest(); }, [contactId, api]);

  const search = (e: Event) => {
    e.preventDefault();
    const q = query.trim();
    if (!q) { suggest(); return; }
    setError("");
    api.get<{ hits: Hit[] }>(`/api/kb/search?${new URLSearchParams({ q })}`)
      .then((r) => { setHits(r.hits); setSearched(q); })
      .catch((err) => setError(errorText(err)));
  };
  const read = (h: Hit) => {
    api.get<Article>(`/api/kb/articles/${encodeURIComponent(h.id)}/${encodeURIComponent(h.lang)}`)
      .then((a) => { setOpen(a); recordUse(api, contactId, a.id, a.lang, "open"); })
      .catch((e) => setError(errorText(e)));
  };
  const insert = (a: Article) => {
    recordUse(api, contactId, a.id, a.lang, "insert");
    const detail: KbInsert = { contactId, text: `${a.title}: ${articleLink(a.id, a.lang)}` };
    window.dispatchEvent(new CustomEvent(KB_INSERT, { detail }));
  };

  return (
    <div class="card kb" aria-labelledby="kb-title">
      <h3 id="kb-title">{t("kb.title")}</h3>
      <form class="kb-search" role="search" onSubmit={search}>
        <input type="search" aria-label={t("kb.search")} placeholder={t("kb.search")} value={query} maxLength={200}
               onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
        <button type="submit" class="btn small">{t("kb.go")}</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      <p class="muted" aria-live="polite">
        {searched ? t("kb.results", { q: searched })
          : words.length ? t("kb.suggested", { words: words.slice(0, 6).join(", ") }) : t("kb.no_words")}
      </p>
      {hits && hits.length === 0 && <p class="muted">{t("kb.none")}</p>}
      {hits && hits.length > 0 && (
        <ul class="kb-hits">
          {hits.map((h) => (
            <li key={`${h.id}/${h.lang}`}>
              <button type="button" class="link" aria-expanded={open?.id === h.id && open.lang === h.lang}
                      onClick={() => read(h)}>{h.title}</button>
              <p class="muted kb-snippet">{h.snippet}</p>
            </li>
          ))}
        </ul>
      )}
      {open && (
        <article class="kb-article" aria-label={open.title}>
          <h4>{open.title}</h4>
          {/* the server renders Markdown with raw HTML off: no script or handler can be in this HTML */}
          <div dangerouslySetInnerHTML={{ __html: open.html ?? "" }} />
          <button type="button" class="btn small" onClick={() => insert(open)}>{t("kb.insert")}</button>
          <button type="button" class="btn ghost small" onClick={() => setOpen(null)}>{t("kb.close")}</button>
        </article>
      )}
    </div>
  );
}
