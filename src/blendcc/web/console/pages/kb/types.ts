// The knowledge base's API shapes (api/routes_kb.py, domain/kb_figures.py).
export interface Article {
  id: string; lang: string; title: string; body: string; category: string; tags: string[];
  status: "draft" | "published"; version: number; updated_at: number; updated_by: string | null; html?: string | null;
}
export interface Rate { key: string; sessions: number; deflected: number; rate: number | null }
export interface Count { id: string; lang: string; views: number; open: number; insert: number; send: number; contacts: number }
export interface Figures {
  start: number; end: number; sessions: number; sessions_with_article: number; searches: number; deflected: number;
  deflection_rate: number | null; by_language: Rate[]; by_category: Rate[]; article_views: Count[]; agent_uses: Count[];
  top_articles: Count[]; viewed_before_contact: Count[];
}
export const LANGS = ["en", "fa", "pl", "ru", "zh"];
