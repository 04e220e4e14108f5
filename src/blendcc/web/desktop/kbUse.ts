// Agents' use of knowledge-base articles on a contact (POST /api/kb/uses/{contact}): opened in the customer panel,
// its help-centre link inserted into the reply box (an event the composer listens to), and sent in a reply.
import type { Api } from "../shared/http";

export const KB_INSERT = "blendcc:kb-insert";
export interface KbInsert { contactId: string; text: string }
export type UseAction = "open" | "insert" | "send";

/** Record a use; best effort: a lost record must never stop the agent. */
export function recordUse(api: Api, contactId: string, id: string, lang: string, action: UseAction): void {
  api.post(`/api/kb/uses/${encodeURIComponent(contactId)}`, { article_id: id, lang, action }).catch(() => undefined);
}

/** The help-centre link of an article, as inserted into a reply. */
export function articleLink(id: string, lang: string, origin: string = location.origin): string {
  return `${origin}/help/${encodeURIComponent(lang)}/${encodeURIComponent(id)}`;
}

/** The articles (id, lang) whose help-centre links a reply holds. */
export function linkedArticles(body: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of body.matchAll(/\/help\/([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\/([a-z0-9][a-z0-9-]{0,79})/g)) {
    if (!out.some(([i, l]) => i === m[2] && l === m[1])) out.push([m[2], m[1]]);
  }
  return out;
}
