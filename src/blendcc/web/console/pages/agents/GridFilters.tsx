// The agent grid's filters (team, queue, skill): applied to the URL, so a filtered grid can be bookmarked.
import { useEffect, useState } from "preact/hooks";
import type { T } from "../../types";
import { queryOf, type GridFilter, type GridOptions } from "./model";

export function GridFilters({ filter, options, t, onApply }: {
  filter: GridFilter; options: GridOptions; t: T; onApply(query: Record<string, string>): void;
}) {
  const [draft, setDraft] = useState(filter);
  const key = `${filter.team}|${filter.queue}|${filter.skill}`;
  useEffect(() => setDraft(filter), [key]);
  const pick = (name: keyof GridFilter, values: string[]) => (
    <div class="field">
      <label for={`grid-f-${name}`}>{t(`grid.filter.${name}`)}</label>
      <select id={`grid-f-${name}`} name={name} value={draft[name]}
              onChange={(e) => setDraft({ ...draft, [name]: (e.currentTarget as HTMLSelectElement).value })}>
        <option value="">{t("grid.filter.any")}</option>
        {/* a value from a bookmark that is no longer configured still shows */}
        {draft[name] && !values.includes(draft[name]) && <option value={draft[name]}>{draft[name]}</option>}
        {values.map((v) => <option key={v} value={v}>{v}</option>)}
      </select>
    </div>
  );
  const any = filter.team || filter.queue || filter.skill;
  return (
    <form class="filters" onSubmit={(e) => { e.preventDefault(); onApply(queryOf(draft)); }}>
      {pick("team", options.teams)}
      {pick("queue", options.queues)}
      {pick("skill", options.skills)}
      <button type="submit" class="btn primary">{t("grid.filter.apply")}</button>
      {any && <button type="button" class="btn" onClick={() => onApply({})}>{t("grid.filter.clear")}</button>}
    </form>
  );
}
