// The words of a configuration field: its label and one-line help from the `fields` catalogue area, looked up as
// field.<kind>.<path>, then field.<kind>.<name>, then field.<name> (list indexes left out); the raw name else.
import type { T } from "../../../types";
import type { Path } from "./schema";

/** The catalogue key of the field at `path` in a document of `kind`, or undefined when none is written. */
export function fieldKey(t: T, kind: string, path: Path): string | undefined {
  const names = path.filter((p): p is string => typeof p === "string");
  if (names.length === 0) return undefined;
  const leaf = names[names.length - 1];
  return [`field.${kind}.${names.join(".")}`, `field.${kind}.${leaf}`, `field.${leaf}`].find((k) => t(k) !== k);
}

/** The field's label in the UI language; its raw name when the catalogue has none. */
export function fieldLabel(t: T, kind: string, path: Path, raw: string): string {
  const k = fieldKey(t, kind, path);
  return k ? t(k) : raw;
}

/** The field's one-line help, or undefined. */
export function fieldHelp(t: T, kind: string, path: Path): string | undefined {
  const k = fieldKey(t, kind, path);
  if (!k) return undefined;
  const help = `${k}.help`;
  return t(help) !== help ? t(help) : undefined;
}

/** A choice's words (an enum value, a channel as a map key): choice.<kind>.<field>.<value>, then
 * choice.<field>.<value>, then choice.<value> (channels, dispositions, activities); the value itself else. */
export function choiceLabel(t: T, kind: string, path: Path, value: unknown): string {
  const names = path.filter((p): p is string => typeof p === "string");
  const leaf = names[names.length - 1] ?? "";
  const v = String(value);
  const k = [`choice.${kind}.${leaf}.${v}`, `choice.${leaf}.${v}`, `choice.${v}`].find((c) => t(c) !== c);
  return k ? t(k) : v;
}

/** Where a server error points, in words: each field's label, list items numbered from 1 ("Filters 2 › Queue"). */
export function locLabel(t: T, kind: string, loc: Path): string {
  const parts: string[] = [];
  loc.forEach((p, i) => {
    if (typeof p === "number") {
      if (parts.length) parts[parts.length - 1] += ` ${p + 1}`;
      else parts.push(String(p + 1));
    } else {
      parts.push(fieldLabel(t, kind, loc.slice(0, i + 1), p));
    }
  });
  return parts.join(" › ");
}
