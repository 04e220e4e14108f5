// The scorecard editor's form: name, where it applies (channels, queues), sections of questions (yes/no or a 1..N
// scale, weight, N/A allowed, auto-fail); each server problem shown at its field (aria-invalid, described by it).
import type { ComponentChildren } from "preact";
import { formatNumber } from "../../ui/format";
import type { T } from "../../types";
import { CHANNELS, type CardDraft, type Problems, type QDraft, type SDraft, freshId, numberOr, withKind } from "./draft";

interface Props { t: T; lang: string; draft: CardDraft; problems: Problems; queues: string[]; onChange(d: CardDraft): void }

const dom = (path: string) => path.replace(/[^A-Za-z0-9_-]/g, "-");

/** A problem of the server at ``path``, placed under the field it belongs to. */
function Problem({ problems, path }: { problems: Problems; path: string }) {
  const msg = problems[path];
  return msg ? <span id={`qe-e-${dom(path)}`} class="field-error" dir="auto">{msg}</span> : null;
}

function invalid(problems: Problems, path: string) {
  return problems[path] ? { "aria-invalid": "true" as const, "aria-describedby": `qe-e-${dom(path)}` } : {};
}

function Text({ label, path, value, problems, onInput, wide, maxLength }: {
  label: string; path: string; value: string; problems: Problems; onInput(v: string): void; wide?: boolean; maxLength?: number }) {
  return (
    <div class={`field${wide ? " qe-wide" : ""}`}>
      <label for={`qe-${dom(path)}`}>{label}</label>
      <input id={`qe-${dom(path)}`} type="text" dir="auto" maxLength={maxLength} value={value} {...invalid(problems, path)}
             onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} />
      <Problem problems={problems} path={path} />
    </div>
  );
}

function Num({ label, path, value, problems, min, max, step, onInput }: {
  label: string; path: string; value: unknown; problems: Problems; min: number; max: number; step: string; onInput(v: string): void }) {
  return (
    <div class="field qe-num">
      <label for={`qe-${dom(path)}`}>{label}</label>
      <input id={`qe-${dom(path)}`} type="number" inputMode="decimal" min={min} max={max} step={step}
             value={value == null ? "" : String(value)} {...invalid(problems, path)}
             onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} />
      <Problem problems={problems} path={path} />
    </div>
  );
}

function Check({ label, checked, onChange, path, problems }: {
  label: string; checked: boolean; onChange(v: boolean): void; path?: string; problems?: Problems }) {
  return (
    <label class="qe-check">
      <input type="checkbox" checked={checked} {...(path && problems ? invalid(problems, path) : {})}
             onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)} /> {label}
    </label>
  );
}

/** A group of tick boxes of a list field (channels, queues): none ticked means "all". */
function Pick({ legend, path, all, chosen, label, problems, empty, onChange }: {
  legend: string; path: string; all: readonly string[]; chosen: string[]; label(v: string): string; problems: Problems;
  empty?: string; onChange(v: string[]): void }) {
  const unknown = chosen.filter((v) => !all.includes(v));  // e.g. a queue deleted since: shown so it can be unticked
  const errs = Object.entries(problems).filter(([k]) => k === path || k.startsWith(`${path}.`)).map(([, m]) => m);
  return (
    <fieldset class="qe-pick" aria-describedby={errs.length ? `qe-e-${dom(path)}` : undefined}>
      <legend>{legend}</legend>
      {all.length === 0 && unknown.length === 0 && empty && <p class="muted">{empty}</p>}
      <div class="qe-pick-list">
        {[...all, ...unknown].map((v) => (
          <Check key={v} label={label(v)} checked={chosen.includes(v)}
                 onChange={(on) => onChange(on ? [...chosen, v] : chosen.filter((x) => x !== v))} />
        ))}
      </div>
      {errs.length > 0 && <span id={`qe-e-${dom(path)}`} class="field-error" dir="auto">{errs.join(" ")}</span>}
    </fieldset>
  );
}

function Group({ legend, path, problems, children, cls }: { legend: ComponentChildren; path: string; problems: Problems;
                                                           children: ComponentChildren; cls: string }) {
  return (
    <fieldset class={cls} aria-describedby={problems[path] ? `qe-e-${dom(path)}` : undefined}>
      <legend>{legend}</legend>
      <Problem problems={problems} path={path} />
      {children}
    </fieldset>
  );
}

export function ScorecardFields({ t, lang, draft, problems, queues, onChange }: Props) {
  const n = (i: number) => formatNumber(lang, i + 1);
  const allQuestions = draft.sections.flatMap((s) => s.questions.map((q) => q.id));
  const setSection = (i: number, s: SDraft) => onChange({ ...draft, sections: draft.sections.map((x, k) => (k === i ? s : x)) });
  const setQuestion = (i: number, j: number, q: QDraft) => {
    const s = draft.sections[i];
    setSection(i, { ...s, questions: s.questions.map((x, k) => (k === j ? q : x)) });
  };
  const kinds: [string, string][] = [["yes_no", t("qa.kind.yes_no")], ["scale", t("qa.kind.scale")]];
  return (
    <div class="qe-form">
      <Text label={t("qa.f_name")} path="name" value={draft.name} problems={problems} wide maxLength={200}
            onInput={(v) => onChange({ ...draft, name: v })} />
      <div class="qe-scope">
        <Pick legend={t("qa.f_channels")} path="channels" all={CHANNELS} chosen={draft.channels} problems={problems}
              label={(c) => t(`qa.ch.${c}`)} onChange={(v) => onChange({ ...draft, channels: v })} />
        <Pick legend={t("qa.f_queues")} path="queues" all={queues} chosen={draft.queues} problems={problems}
              label={(q) => q} empty={t("qa.no_queues")} onChange={(v) => onChange({ ...draft, queues: v })} />
      </div>
      <Problem problems={problems} path="sections" />
      {draft.sections.map((s, i) => (
        <Group key={i} cls="qa-section qe-section" path={`sections.${i}`} problems={problems}
               legend={t("qa.f_section", { n: n(i) })}>
          <div class="qe-row">
            <Text label={t("qa.f_title")} path={`sections.${i}.title`} value={s.title} problems={problems} wide maxLength={200}
                  onInput={(v) => setSection(i, { ...s, title: v })} />
            <Text label={t("qa.f_section_id")} path={`sections.${i}.id`} value={s.id} problems={problems} maxLength={64}
                  onInput={(v) => setSection(i, { ...s, id: v })} />
          </div>
          <Problem problems={problems} path={`sections.${i}.questions`} />
          {s.questions.map((q, j) => {
            const at = `sections.${i}.questions.${j}`;
            const kind = q.kind ?? "yes_no";
            return (
              <Group key={j} cls="qe-question" path={at} problems={problems}
                     legend={t("qa.f_question", { n: n(j) })}>
                <Text label={t("qa.f_text")} path={`${at}.text`} value={q.text} problems={problems} wide maxLength={500}
                      onInput={(v) => setQuestion(i, j, { ...q, text: v })} />
                <div class="qe-row">
                  <Text label={t("qa.f_qid")} path={`${at}.id`} value={q.id} problems={problems} maxLength={64}
                        onInput={(v) => setQuestion(i, j, { ...q, id: v })} />
                  <div class="field">
                    <label for={`qe-${dom(at)}-kind`}>{t("qa.f_kind")}</label>
                    <select id={`qe-${dom(at)}-kind`} value={kind} {...invalid(problems, `${at}.kind`)}
                            onChange={(e) => setQuestion(i, j, withKind(q, (e.currentTarget as HTMLSelectElement).value))}>
                      {kinds.map(([v, label]) => <option key={v} value={v}>{label}</option>)}
                    </select>
                    <Problem problems={problems} path={`${at}.kind`} />
                  </div>
                  {(kind === "scale" || q.scale_max != null) && (
                    <Num label={t("qa.f_scale_max")} path={`${at}.scale_max`} value={q.scale_max} problems={problems}
                         min={2} max={10} step="1" onInput={(v) => setQuestion(i, j, { ...q, scale_max: numberOr(v) ?? null })} />
                  )}
                  <Num label={t("qa.f_weight")} path={`${at}.weight`} value={q.weight ?? 1} problems={problems}
                       min={0.1} max={1000} step="any" onInput={(v) => setQuestion(i, j, { ...q, weight: numberOr(v) })} />
                </div>
                <div class="qe-row qe-flags">
                  <Check label={t("qa.f_na")} checked={!!q.na_allowed} path={`${at}.na_allowed`} problems={problems}
                         onChange={(v) => setQuestion(i, j, { ...q, na_allowed: v })} />
                  {(kind === "yes_no" || q.auto_fail) && (
                    <Check label={t("qa.f_auto_fail")} checked={!!q.auto_fail} path={`${at}.auto_fail`} problems={problems}
                           onChange={(v) => setQuestion(i, j, { ...q, auto_fail: v })} />
                  )}
                  <button type="button" class="btn small ghost qe-remove" disabled={s.questions.length < 2}
                          onClick={() => setSection(i, { ...s, questions: s.questions.filter((_, k) => k !== j) })}>
                    {t("qa.remove_question", { n: n(j) })}</button>
                </div>
              </Group>
            );
          })}
          <div class="qe-row">
            <button type="button" class="btn small" onClick={() => setSection(i, { ...s, questions: [...s.questions,
              { id: freshId("q", allQuestions), text: "" }] })}>{t("qa.add_question", { n: n(i) })}</button>
            <button type="button" class="btn small ghost" disabled={draft.sections.length < 2}
                    onClick={() => onChange({ ...draft, sections: draft.sections.filter((_, k) => k !== i) })}>
              {t("qa.remove_section", { n: n(i) })}</button>
          </div>
        </Group>
      ))}
      <p>
        <button type="button" class="btn" onClick={() => onChange({ ...draft, sections: [...draft.sections,
          { id: freshId("s", draft.sections.map((s) => s.id)), title: "", questions: [{ id: freshId("q", allQuestions), text: "" }] }] })}>
          {t("qa.add_section")}</button>
      </p>
      <p class="muted">{t("qa.signals_note")}</p>
    </div>
  );
}
