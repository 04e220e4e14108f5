// The generic form of a configuration document, generated from its JSON Schema: text, numbers, switches,
// selects for enums and for ids of other documents, lines for lists of strings, fieldsets for nested objects,
// rows for maps (skill levels) and JSON for anything else. Server errors are shown at their field. Each field
// is labelled from the `fields` catalogue (labels.ts), its raw name beside it and its help as its description.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { T } from "../../../types";
import { choiceLabel, fieldHelp, fieldLabel } from "./labels";
import { type Json, type Obj, type Path, type Schema, blank, key, resolve, shapeOf } from "./schema";

export interface FormCtx {
  /** the document's kind (the catalogue keys of its fields' labels) */
  kind: string;
  root: Schema;
  refs: Record<string, string>;
  /** kind -> ids of its documents (the choices of a reference field) */
  options: Record<string, string[]>;
  /** field path ("default.0.queue") -> message */
  errors: Record<string, string>;
  set(path: Path, value: Json | undefined): void;
  t: T;
}

export const domId = (prefix: string, path: Path) => `${prefix}-${key(path).replace(/[^A-Za-z0-9_.-]/g, "_") || "doc"}`;

function errorsUnder(ctx: FormCtx, path: Path, exact: boolean): string {
  const k = key(path);
  return Object.entries(ctx.errors).filter(([e]) => e === k || (!exact && e.startsWith(`${k}.`)))
    .map(([, m]) => m).join(" ");
}

/** The field's name in the API, in small monospace beside its label. */
function RawName({ ctx, name, hidden }: { ctx: FormCtx; name?: string; hidden?: boolean }) {
  if (!name) return null;
  return <code class="adm-raw" dir="ltr" title={ctx.t("fields.raw_name", { name })} aria-hidden={hidden ? "true" : undefined}>{name}</code>;
}

/** What the form shows for a field: its translated label, its raw name (none for a map's keys), its help. */
function words(ctx: FormCtx, path: Path, name: string, s: Schema, plain?: boolean) {
  if (plain) return { label: choiceLabel(ctx.t, ctx.kind, path.slice(0, -1), name), raw: undefined, help: undefined };
  return { label: fieldLabel(ctx.t, ctx.kind, path, name), raw: name, help: fieldHelp(ctx.t, ctx.kind, path) ?? s.description };
}

/** A group's legend (label and raw name; the raw name is not part of the group's accessible name) and help. */
function Legend({ ctx, path, name }: { ctx: FormCtx; path: Path; name: string }) {
  return <legend>{fieldLabel(ctx.t, ctx.kind, path, name)} <RawName ctx={ctx} name={name} hidden /></legend>;
}

function GroupHelp({ ctx, path }: { ctx: FormCtx; path: Path }) {
  const help = fieldHelp(ctx.t, ctx.kind, path);
  return help ? <p id={domId("h", path)} class="muted adm-help">{help}</p> : null;
}

const describedBy = (ctx: FormCtx, path: Path, err: string) => [err ? domId("e", path) : "",
  fieldHelp(ctx.t, ctx.kind, path) ? domId("h", path) : ""].filter(Boolean).join(" ") || undefined;

/** The label, the control (with aria-invalid / aria-describedby) and the field's message or hint. */
function Labelled(props: { ctx: FormCtx; path: Path; name: string; raw?: string; hint?: string; exact?: boolean; local?: string;
                           children(a: Record<string, unknown>): ComponentChildren }) {
  const err = [props.local ?? "", errorsUnder(props.ctx, props.path, props.exact ?? true)].filter(Boolean).join(" ");
  const id = domId("f", props.path);
  const described = [err ? domId("e", props.path) : "", props.hint ? domId("h", props.path) : ""].filter(Boolean).join(" ");
  const attrs: Record<string, unknown> = { id, "aria-invalid": err ? "true" : undefined, "aria-describedby": described || undefined };
  return (
    <div class="field">
      <span class="adm-label"><label for={id}>{props.name}</label> <RawName ctx={props.ctx} name={props.raw} /></span>
      {props.children(attrs)}
      {props.hint && <small id={domId("h", props.path)} class="muted">{props.hint}</small>}
      {err && <span id={domId("e", props.path)} class="field-error" dir="auto">{err}</span>}
    </div>
  );
}

export function Field(props: { ctx: FormCtx; name: string; path: Path; schema: Schema; value: Json | undefined;
                               required: boolean; readOnly?: boolean; plain?: boolean }) {
  const { ctx, path, value } = props;
  const { s, nullable } = resolve(ctx.root, props.schema);
  const shape = shapeOf(ctx.root, s);
  const ref = ctx.refs[props.name];
  const optional = nullable || !props.required;
  const set = (v: Json | undefined) => ctx.set(path, v);
  const { label: name, raw, help: hint } = words(ctx, path, props.name, s, props.plain);
  if (ref && (shape === "string" || shape === "enum")) {
    const ids = ctx.options[ref] ?? [];
    return (
      <Labelled ctx={ctx} path={path} name={name} raw={raw} hint={hint}>{(a) => (
        <select {...a} value={typeof value === "string" ? value : ""}
                onChange={(e) => set(e.currentTarget.value || (optional ? undefined : ""))}>
          <option value="">{ctx.t("adm.none")}</option>
          {[...new Set([...ids, ...(typeof value === "string" && value ? [value] : [])])].map((i) => <option key={i} value={i}>{i}</option>)}
        </select>)}
      </Labelled>
    );
  }
  switch (shape) {
    case "enum": {
      const choices = s.enum ?? [s.const ?? ""];
      return (
        <Labelled ctx={ctx} path={path} name={name} raw={raw} hint={hint}>{(a) => (
          <select {...a} value={value === undefined || value === null ? "" : String(value)}
                  onChange={(e) => set(e.currentTarget.value === "" ? undefined : choices.find((c) => String(c) === e.currentTarget.value))}>
            {(optional || value === undefined) && <option value="">{ctx.t("adm.default")}</option>}
            {choices.map((c) => <option key={String(c)} value={String(c)}>{choiceLabel(ctx.t, ctx.kind, path, c)}</option>)}
          </select>)}
        </Labelled>
      );
    }
    case "string":
      return (
        <Labelled ctx={ctx} path={path} name={name} raw={raw} hint={hint}>{(a) => (
          <input {...a} value={typeof value === "string" ? value : ""} readOnly={props.readOnly}
                 placeholder={typeof s.default === "string" ? s.default : undefined}
                 onInput={(e) => set(e.currentTarget.value === "" && nullable ? undefined : e.currentTarget.value)} />)}
        </Labelled>
      );
    case "number":
    case "integer":
      return (
        <Labelled ctx={ctx} path={path} name={name} raw={raw} hint={hint}>{(a) => (
          <input {...a} type="number" dir="ltr" step={shape === "integer" ? 1 : "any"} inputMode="decimal"
                 value={typeof value === "number" ? String(value) : ""} placeholder={s.default != null ? String(s.default) : ""}
                 onInput={(e) => {
                   const raw = e.currentTarget.value;
                   set(raw === "" ? (nullable && props.required ? null : undefined) : Number(raw));
                 }} />)}
        </Labelled>
      );
    case "boolean": {
      const err = errorsUnder(ctx, path, true);
      const described = [err ? domId("e", path) : "", hint ? domId("h", path) : ""].filter(Boolean).join(" ");
      return (
        <div class="field check">
          <span class="adm-label"><label><input type="checkbox" id={domId("f", path)} checked={value === true || (value === undefined && s.default === true)}
                        aria-invalid={err ? "true" : undefined} aria-describedby={described || undefined}
                        onChange={(e) => set(e.currentTarget.checked)} /> {name}</label> <RawName ctx={ctx} name={raw} /></span>
          {hint && <small id={domId("h", path)} class="muted">{hint}</small>}
          {err && <span id={domId("e", path)} class="field-error" dir="auto">{err}</span>}
        </div>
      );
    }
    case "strings":
      return <Strings {...props} s={s} />;
    case "list":
      return <List {...props} s={s} />;
    case "object":
      return <ObjectFields ctx={ctx} path={path} legend={props.name} s={s} value={value} />;
    case "map":
      return <MapRows {...props} s={s} />;
    default:
      return <JsonField ctx={ctx} path={path} name={props.name} value={value} hint={hint} />;
  }
}

/** A list of strings: checkboxes when they name other documents, else one per line. */
function Strings(props: { ctx: FormCtx; name: string; path: Path; value: Json | undefined; s: Schema }) {
  const { ctx, name, path } = props;
  const list = Array.isArray(props.value) ? (props.value as string[]) : [];
  const item = resolve(ctx.root, props.s.items ?? {}).s;
  const ref = ctx.refs[name];
  const choices = ref ? ctx.options[ref] ?? [] : item.enum?.map(String);
  if (choices) {
    const err = errorsUnder(ctx, path, false);
    return (
      <fieldset class="choices" id={domId("f", path)} aria-invalid={err ? "true" : undefined}
                aria-describedby={describedBy(ctx, path, err)}>
        <Legend ctx={ctx} path={path} name={name} />
        <GroupHelp ctx={ctx} path={path} />
        {[...new Set([...choices, ...list])].map((c) => (
          <label key={c} class="chip"><input type="checkbox" checked={list.includes(c)}
            onChange={(e) => ctx.set(path, e.currentTarget.checked ? [...list, c] : list.filter((x) => x !== c))} />
            {" "}{ref ? c : choiceLabel(ctx.t, ctx.kind, path, c)}</label>
        ))}
        {choices.length === 0 && <span class="muted">{ctx.t("adm.no_choices")}</span>}
        {err && <span id={domId("e", path)} class="field-error" dir="auto">{err}</span>}
      </fieldset>
    );
  }
  const w = words(ctx, path, name, props.s);
  return (
    <Labelled ctx={ctx} path={path} name={w.label} raw={w.raw} hint={[w.help, ctx.t("adm.one_per_line")].filter(Boolean).join(" ")}
              exact={false}>{(a) => (
      <textarea {...a} rows={Math.max(2, list.length + 1)} value={list.join("\n")}
                onInput={(e) => ctx.set(path, e.currentTarget.value.split("\n").map((x) => x.trim()).filter(Boolean))} />)}
    </Labelled>
  );
}

/** A list of objects: a fieldset per item, with add and remove. */
function List(props: { ctx: FormCtx; name: string; path: Path; value: Json | undefined; s: Schema }) {
  const { ctx, name, path } = props;
  const items = Array.isArray(props.value) ? props.value : [];
  const err = errorsUnder(ctx, path, true);
  const label = fieldLabel(ctx.t, ctx.kind, path, name);
  return (
    <fieldset class="list" id={domId("f", path)} aria-describedby={describedBy(ctx, path, err)}>
      <Legend ctx={ctx} path={path} name={name} />
      <GroupHelp ctx={ctx} path={path} />
      {err && <p class="field-error" id={domId("e", path)}>{err}</p>}
      {items.map((it, i) => (
        <div class="item" key={i}>
          <ObjectFields ctx={ctx} path={[...path, i]} legend={`${label} ${i + 1}`} s={resolve(ctx.root, props.s.items ?? {}).s} value={it} />
          <button type="button" class="btn small ghost" onClick={() => ctx.set([...path, i], undefined)}>
            {ctx.t("adm.remove_item", { name: label, n: i + 1 })}</button>
        </div>
      ))}
      <button type="button" class="btn small" onClick={() => ctx.set(path, [...items, blank(ctx.root, props.s.items ?? {})])}>
        {ctx.t("adm.add_item", { name: label })}</button>
    </fieldset>
  );
}

export function ObjectFields(props: { ctx: FormCtx; path: Path; legend: string; s: Schema; value: Json | undefined;
                                      readOnly?: string[] }) {
  const { ctx, path, s } = props;
  const obj = (props.value && typeof props.value === "object" && !Array.isArray(props.value) ? props.value : {}) as Obj;
  const fields = Object.entries(s.properties ?? {}).map(([name, fs]) => (
    <Field key={name} ctx={ctx} name={name} path={[...path, name]} schema={fs} value={obj[name]}
           required={(s.required ?? []).includes(name)} readOnly={props.readOnly?.includes(name)} />
  ));
  if (path.length === 0) return <div class="fields">{fields}</div>;
  const last = path[path.length - 1];
  if (typeof last === "number") return <fieldset class="group"><legend>{props.legend}</legend>{fields}</fieldset>;
  return (
    <fieldset class="group" aria-describedby={describedBy(ctx, path, "")}>
      <Legend ctx={ctx} path={path} name={props.legend} /><GroupHelp ctx={ctx} path={path} />{fields}
    </fieldset>
  );
}

/** A mapping (e.g. skill -> level): a row per key with its value; keys from the referenced documents. */
function MapRows(props: { ctx: FormCtx; name: string; path: Path; value: Json | undefined; s: Schema }) {
  const { ctx, name, path } = props;
  const obj = (props.value && typeof props.value === "object" && !Array.isArray(props.value) ? props.value : {}) as Obj;
  const valueSchema = typeof props.s.additionalProperties === "object" ? props.s.additionalProperties : {};
  const ref = ctx.refs[name];
  const keyEnum = props.s.propertyNames ? resolve(ctx.root, props.s.propertyNames).s.enum?.map(String) : undefined;
  const keyChoices = ref ? ctx.options[ref] ?? [] : keyEnum;
  const free = (keyChoices ?? []).filter((k) => !(k in obj));
  const vshape = shapeOf(ctx.root, resolve(ctx.root, valueSchema).s);
  const initial: Json = vshape === "number" || vshape === "integer" ? 1 : vshape === "boolean" ? true : "";
  const addKey = (k: string) => { if (k && !(k in obj)) ctx.set([...path, k], initial); };
  const err = errorsUnder(ctx, path, true);
  const label = fieldLabel(ctx.t, ctx.kind, path, name);
  return (
    <fieldset class="group map" id={domId("f", path)} aria-describedby={describedBy(ctx, path, err)}>
      <Legend ctx={ctx} path={path} name={name} />
      <GroupHelp ctx={ctx} path={path} />
      {err && <p class="field-error" id={domId("e", path)}>{err}</p>}
      {Object.entries(obj).map(([k, v]) => (
        <div class="map-row" key={k}>
          <Field ctx={ctx} name={k} path={[...path, k]} schema={valueSchema} value={v} required plain />
          <button type="button" class="btn small ghost" onClick={() => ctx.set([...path, k], undefined)}>
            {ctx.t("adm.remove_key", { key: choiceLabel(ctx.t, ctx.kind, path, k) })}</button>
        </div>
      ))}
      <div class="field">
        <label for={domId("add", path)}>{ctx.t("adm.add_key", { name: label })}</label>
        {keyChoices ? (
          <select id={domId("add", path)} value="" onChange={(e) => addKey(e.currentTarget.value)}>
            <option value="">{ctx.t("adm.choose")}</option>
            {free.map((k) => <option key={k} value={k}>{choiceLabel(ctx.t, ctx.kind, path, k)}</option>)}
          </select>
        ) : (
          <input id={domId("add", path)} onKeyDown={(e) => {
            if (e.key === "Enter") { e.preventDefault(); addKey(e.currentTarget.value.trim()); e.currentTarget.value = ""; }
          }} />
        )}
      </div>
    </fieldset>
  );
}

/** Anything the form does not model (unions such as IVR nodes): its JSON, applied while it parses; a
 * syntax error is shown at the field and the text kept. */
export function JsonField(props: { ctx: FormCtx; path: Path; name: string; value: Json | undefined; hint?: string }) {
  const { ctx, path } = props;
  const w = words(ctx, path, props.name, {});
  const text = props.value === undefined ? "" : JSON.stringify(props.value, null, 2);
  const [draft, setDraft] = useState<string | null>(null);
  const [bad, setBad] = useState("");
  const shown = draft ?? text;
  useEffect(() => {  // keep what is being typed; take the value again when it changes from elsewhere
    if (draft === null || bad) return;
    try {
      if (draft.trim() === "" ? props.value === undefined : JSON.stringify(JSON.parse(draft)) === JSON.stringify(props.value)) return;
    } catch { /* unparsable drafts are flagged by bad */ }
    setDraft(null);
  }, [text]);
  return (
    <Labelled ctx={ctx} path={path} name={w.label} raw={w.raw} hint={[props.hint, ctx.t("adm.json_hint")].filter(Boolean).join(" ")}
              exact={false} local={bad}>{(a) => (
      <textarea {...a} class="code" dir="ltr" rows={Math.min(20, shown.split("\n").length + 1)} value={shown} spellcheck={false}
                onInput={(e) => {
                  const raw = e.currentTarget.value;
                  setDraft(raw);
                  if (raw.trim() === "") { setBad(""); ctx.set(path, undefined); return; }
                  try { ctx.set(path, JSON.parse(raw) as Json); setBad(""); } catch (x) { setBad(x instanceof Error ? x.message : String(x)); }
                }} />)}
    </Labelled>
  );
}
