// JSON Schema (as pydantic writes it) read for the generic form: $ref resolved, optional (anyOf null) unwrapped,
// and each value addressed by its path (the same `loc` the server puts on its errors).
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };
export type Path = (string | number)[];

export interface Schema {
  type?: string | string[];
  $ref?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: Json[];
  const?: Json;
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  propertyNames?: Schema;
  required?: string[];
  default?: Json;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  $defs?: Record<string, Schema>;
}

export interface KindInfo {
  schema: Schema;
  /** field name -> the kind whose ids it holds */
  refs: Record<string, string>;
}

/** `s` with its $ref followed and an optional's null variant removed; `nullable` says one was. */
export function resolve(root: Schema, s: Schema): { s: Schema; nullable: boolean } {
  let cur = s;
  let nullable = false;
  for (let i = 0; i < 8; i++) {
    if (cur.$ref) {
      const name = cur.$ref.replace("#/$defs/", "");
      cur = { ...(root.$defs?.[name] ?? {}), description: cur.description ?? root.$defs?.[name]?.description };
      continue;
    }
    const variants = cur.anyOf ?? cur.oneOf;
    if (variants) {
      const real = variants.filter((v) => v.type !== "null");
      if (real.length < variants.length) nullable = true;
      if (real.length === 1) {
        cur = { ...real[0], description: cur.description ?? real[0].description, default: cur.default };
        continue;
      }
    }
    break;
  }
  return { s: cur, nullable };
}

export type Shape = "enum" | "string" | "number" | "integer" | "boolean" | "strings" | "list" | "object" | "map" | "json";

/** How the form edits a value of schema `s` (already resolved). */
export function shapeOf(root: Schema, s: Schema): Shape {
  if (s.enum || s.const !== undefined) return "enum";
  const type = Array.isArray(s.type) ? s.type.find((x) => x !== "null") : s.type;
  if (type === "string") return "string";
  if (type === "integer") return "integer";
  if (type === "number") return "number";
  if (type === "boolean") return "boolean";
  if (type === "array" && s.items) {
    const item = resolve(root, s.items).s;
    const it = shapeOf(root, item);
    if (it === "string" || it === "enum") return "strings";
    if (it === "object") return "list";
    return "json";
  }
  if (type === "object" && s.properties) return "object";
  if (type === "object" && typeof s.additionalProperties === "object") {
    const v = shapeOf(root, resolve(root, s.additionalProperties).s);
    return v === "number" || v === "integer" || v === "string" || v === "boolean" || v === "enum" ? "map" : "json";
  }
  return "json";
}

export function key(path: Path): string {
  return path.join(".");
}

export function getAt(doc: Json, path: Path): Json | undefined {
  let cur: Json | undefined = doc;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, Json>)[p];
  }
  return cur;
}

/** A copy of `doc` with the value at `path` replaced (undefined removes an object's key). */
export function setAt(doc: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const [head, ...rest] = path;
  if (Array.isArray(doc)) {
    const copy = [...doc];
    const next = setAt(copy[head as number] ?? null, rest, value);
    if (value === undefined && rest.length === 0) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  const obj: Obj = doc && typeof doc === "object" ? { ...(doc as Obj) } : {};
  if (value === undefined && rest.length === 0) delete obj[head];
  else obj[head] = setAt(obj[head] ?? (typeof rest[0] === "number" ? [] : {}), rest, value);
  return obj;
}

/** A new item for an array of objects: its required fields' defaults (strings empty). */
export function blank(root: Schema, s: Schema): Json {
  const r = resolve(root, s).s;
  const out: Obj = {};
  for (const name of r.required ?? []) {
    const f = resolve(root, r.properties?.[name] ?? {}).s;
    const shape = shapeOf(root, f);
    out[name] = f.default ?? (shape === "list" || shape === "strings" ? [] : shape === "number" || shape === "integer"
      ? 0 : shape === "object" || shape === "map" ? {} : shape === "enum" ? (f.enum?.[0] ?? f.const ?? "") : "");
  }
  return out;
}
