// The conversation tabs: one per held contact (channel icon, customer, unread badge, wrap-up marker), a
// roving tabindex (arrow keys, Home, End; Ctrl+1..9 from anywhere), and the load / capacity per channel.
import { useRef } from "preact/hooks";
import type { AgentView, ScreenPop, T, WorkItem } from "./types";
import { formatNumber } from "./i18n";
import { ChannelIcon } from "./icons";
import { customerName } from "./Offers";

interface Props {
  items: WorkItem[];
  active: string | null;
  unread: Record<string, number>;
  pops: Record<string, ScreenPop>;
  view: AgentView | null;
  t: T;
  lang: string;
  drawer: boolean;
  onSelect(contactId: string): void;
  onToggleDrawer(): void;
}

export function Tabs({ items, active, unread, pops, view, t, lang, drawer, onSelect, onToggleDrawer }: Props) {
  const list = useRef<HTMLDivElement>(null);

  const onKey = (e: KeyboardEvent) => {
    const i = items.findIndex((w) => w.contact_id === active);
    const rtl = document.documentElement.dir === "rtl";
    let next = -1;
    if (e.key === (rtl ? "ArrowLeft" : "ArrowRight")) next = (i + 1) % items.length;
    else if (e.key === (rtl ? "ArrowRight" : "ArrowLeft")) next = (i - 1 + items.length) % items.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = items.length - 1;
    if (next < 0 || !items[next]) return;
    e.preventDefault();
    onSelect(items[next].contact_id);
    list.current?.querySelector<HTMLElement>(`#tab-${CSS.escape(items[next].contact_id)}`)?.focus();
  };

  const channels = view ? Object.keys(view.capacity).filter((c) => view.capacity[c] > 0) : [];
  return (
    <div class="tabbar">
      <div class="tabs" role="tablist" aria-label={t("tabs.label")} ref={list} onKeyDown={onKey}>
        {items.map((w, i) => {
          const selected = w.contact_id === active;
          const n = unread[w.contact_id] ?? 0;
          return (
            <button key={w.contact_id} type="button" role="tab" id={`tab-${w.contact_id}`} aria-selected={selected}
                    aria-controls={`panel-${w.contact_id}`} tabIndex={selected ? 0 : -1}
                    aria-keyshortcuts={i < 9 ? `Control+${i + 1}` : undefined}
                    class={`tab${selected ? " selected" : ""}${w.stage === "wrap_up" ? " wrapping" : ""}`}
                    onClick={() => onSelect(w.contact_id)}>
              <ChannelIcon channel={w.channel} t={t} />
              <span class="tab-name">{customerName(w, pops[w.contact_id], t)}</span>
              {w.stage === "wrap_up" && <span class="marker">{t("tabs.wrap_up")}</span>}
              {w.stage === "held" && <span class="marker">{t("tabs.held")}</span>}
              {n > 0 && <span class="badge" aria-label={t("tabs.unread", { n: formatNumber(lang, n) })}>{formatNumber(lang, n)}</span>}
            </button>
          );
        })}
      </div>
      <div class="capacity" aria-label={t("capacity.label")}>
        {channels.map((c) => (
          <span key={c} class="cap" title={t(`channel.${c}`)}>
            <ChannelIcon channel={c} t={t} />
            {t("capacity.value", { load: formatNumber(lang, view?.load[c] ?? 0), capacity: formatNumber(lang, view?.capacity[c] ?? 0) })}
          </span>
        ))}
      </div>
      <button type="button" class="btn ghost drawer-toggle" aria-expanded={drawer} aria-controls="side-panel" onClick={onToggleDrawer}>
        {t("side.toggle")}
      </button>
    </div>
  );
}
