// Messages a supervisor sends from the console's agent grid (POST /api/supervisor/agents/{id}/message): a
// frame {type: "SupervisorMessage", text, from, at} on /ws/agent, shown as a banner (role=alert) with the
// supervisor's name until the agent dismisses it. Not stored: a desktop opened later does not show it.
import { useEffect, useState } from "preact/hooks";
import type { LiveSocket } from "../shared/socket";
import { formatTime } from "./i18n";
import type { T } from "./types";
import "./supmsg.css";

interface Note { key: string; text: string; from: string; at: number }

export function SupervisorMessages({ bus, t, lang }: { bus: LiveSocket; t: T; lang: string }) {
  const [notes, setNotes] = useState<Note[]>([]);
  useEffect(() => bus.on("SupervisorMessage", (f) => {
    const at = typeof f.at === "number" ? f.at : Date.now() / 1000;
    const note = { key: `${at}-${Math.random()}`, text: String(f.text ?? ""), from: String(f.from ?? ""), at };
    setNotes((all) => [...all, note].slice(-5));  // the five newest
  }), [bus]);
  if (!notes.length) return null;
  return (
    <div class="supmsg-list">
      {notes.map((n) => (
        <div key={n.key} class="banner supmsg" role="alert">
          <p class="supmsg-head">{t("supmsg.from", { name: n.from, time: formatTime(lang, n.at) })}</p>
          <p class="supmsg-text">{n.text}</p>
          <button type="button" class="btn small" aria-label={t("supmsg.dismiss_from", { name: n.from })}
                  onClick={() => setNotes((all) => all.filter((x) => x.key !== n.key))}>{t("supmsg.dismiss")}</button>
        </div>
      ))}
    </div>
  );
}
