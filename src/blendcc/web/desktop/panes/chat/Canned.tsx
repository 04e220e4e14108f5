// Canned responses for the "/" shortcut: matches from GET /api/canned?query=, chosen with the arrow keys
// and Enter (or a click), then rendered for this contact (POST /api/canned/{id}/render).
import type { T } from "../../types";

export interface CannedItem {
  id: string;
  shortcut: string;
  title: string;
  body: string;
}

interface Props {
  items: CannedItem[];
  selected: number;
  t: T;
  listId: string;
  onPick(item: CannedItem): void;
}

export function CannedList({ items, selected, t, listId, onPick }: Props) {
  return (
    <ul class="canned" role="listbox" id={listId} aria-label={t("canned.label")}>
      {items.length === 0 && <li class="muted" role="option" aria-selected={false} aria-disabled="true">{t("canned.none")}</li>}
      {items.map((c, i) => (
        <li key={c.id} id={`${listId}-${i}`} role="option" aria-selected={i === selected} class={i === selected ? "active" : ""}
            onMouseDown={(e) => {
              e.preventDefault();
              onPick(c);
            }}>
          <strong>/{c.shortcut}</strong> <span>{c.title || c.body.slice(0, 60)}</span>
        </li>
      ))}
    </ul>
  );
}
