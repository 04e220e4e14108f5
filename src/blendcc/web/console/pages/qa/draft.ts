// A scorecard being edited as a form: its draft shape (what the JSON view may hold, loosely typed), the changes
// the form makes to it, and the server's field problems keyed by their path ("sections.1.questions.0.scale_max").
import type { FieldProblem } from "../../../shared/http";

export interface QDraft { id: string; text: string; kind?: string; scale_max?: number | string | null;
                          weight?: number | string; na_allowed?: boolean; auto_fail?: boolean; [k: string]: unknown }
export interface SDraft { id: string; title: string; questions: QDraft[]; [k: string]: unknown }
export interface CardDraft { name: string; sections: SDraft[]; queues: string[]; channels: string[]; [k: string]: unknown }

export const CHANNELS = ["voice", "chat", "email", "sms", "social"] as const;

export const NEW_CARD: CardDraft = { name: "", channels: [], queues: [],
                                     sections: [{ id: "s1", title: "", questions: [{ id: "q1", text: "" }] }] };

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** The JSON view's document as a form draft, or the reason it cannot be one (the server judges the rest). */
export function toDraft(x: unknown): CardDraft | string {
  if (!isObj(x)) return "the document is not an object";
  const sections = x.sections ?? [];
  if (!Array.isArray(sections)) return "sections is not a list";
  for (const [i, s] of sections.entries()) {
    if (!isObj(s)) return `sections.${i} is not an object`;
    if (s.questions !== undefined && !Array.isArray(s.questions)) return `sections.${i}.questions is not a list`;
    for (const [j, q] of ((s.questions as unknown[] | undefined) ?? []).entries()) {
      if (!isObj(q)) return `sections.${i}.questions.${j} is not an object`;
    }
  }
  for (const k of ["queues", "channels"]) {
    if (x[k] !== undefined && !(Array.isArray(x[k]) && (x[k] as unknown[]).every((v) => typeof v === "string"))) {
      return `${k} is not a list of names`;
    }
  }
  const str = (v: unknown) => (typeof v === "string" ? v : v == null ? "" : String(v));
  return {
    ...x, name: str(x.name), queues: (x.queues as string[] | undefined) ?? [], channels: (x.channels as string[] | undefined) ?? [],
    sections: sections.map((s: Record<string, unknown>) => ({
      ...s, id: str(s.id), title: str(s.title),
      questions: ((s.questions as Record<string, unknown>[] | undefined) ?? []).map((q) => ({ ...q, id: str(q.id), text: str(q.text) })),
    })),
  };
}

/** An id not used yet among `used`: the prefix and the first free number. */
export function freshId(prefix: string, used: string[]): string {
  for (let n = used.length + 1; ; n++) if (!used.includes(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** A number field's value as the document holds it: a number when it reads as one, the text otherwise (the server
 * then says what is wrong at its path), nothing when empty (the default applies). */
export function numberOr(text: string): number | string | undefined {
  const v = text.trim();
  if (v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : v;
}

/** The question with a changed answer kind: a scale needs its top (5 unless set) and cannot be auto-fail. */
export function withKind(q: QDraft, kind: string): QDraft {
  const next: QDraft = { ...q, kind };
  if (kind === "scale") {
    next.scale_max = q.scale_max ?? 5;
    delete next.auto_fail;
  } else {
    delete next.scale_max;
  }
  return next;
}

export type Problems = Record<string, string>;

export const pathKey = (loc: (string | number)[]) => loc.join(".");

/** The server's problems keyed by field path (several at one path joined). */
export function problemsByPath(list: FieldProblem[]): Problems {
  const out: Problems = {};
  for (const p of list) {
    const k = pathKey(p.loc);
    out[k] = out[k] ? `${out[k]} ${p.msg}` : p.msg;
  }
  return out;
}

/** The problems the form shows at one of its fields (the rest stay in the list above the form). */
export function shownInForm(k: string): boolean {
  return /^(name|queues|channels|sections)(\.|$)/.test(k);
}
