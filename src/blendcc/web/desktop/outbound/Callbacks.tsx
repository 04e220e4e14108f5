// The agent's personal callbacks, soonest first; due ones highlighted. A `CallbackDue` frame on the agent
// socket reloads the list and announces it; a callback with a number can be dialled from the list.
import { useEffect, useState } from "preact/hooks";
import type { Api, Bus, T } from "../types";
import { useAction, useNow, when } from "../panes/common";
import { callbacksOf, type Callback } from "./campaigns";

const enc = encodeURIComponent;

export function Callbacks(props: {
  api: Api; bus: Bus; t: T; locale: string; onDial(c: Callback): void; onAnnounce(text: string): void;
}) {
  const { api, bus, t, locale } = props;
  const [items, setItems] = useState<Callback[] | null>(null);
  const [raised, setRaised] = useState<string | null>(null);
  const action = useAction(t);
  const now = useNow(true);

  async function load() {
    const got = await action.run("load", () => api.get<unknown>("/api/agent/callbacks"), t("out.callbacks_unavailable"));
    if (got === undefined) return;
    const list = callbacksOf(got);
    setItems(list);
  }

  useEffect(() => {
    void load();
    const offs = [
      bus.on("CallbackDue", (f) => {
        const id = String(f.callback_id ?? f.id ?? "");
        setRaised(id || null);
        props.onAnnounce(t("out.callback_due", { phone: String(f.phone ?? "") }));
        void load();
      }),
      bus.on("snapshot", () => void load()),
      // the server pushes a callback's scheduling, cancelling and completion to its agent (a dialer
      // record's once the record holds it); a wrap-up may schedule one
      ...["WrapUpCompleted", "CallbackScheduled", "CallbackCancelled", "CallbackDone"].map((key) =>
        bus.on(key, () => void load())),
    ];
    return () => offs.forEach((off) => off());
  }, []);

  async function finish(c: Callback, how: "done" | "cancel") {
    const ok = await action.run(how, () => api.post(`/api/agent/callbacks/${enc(c.id)}/${how}`));
    if (ok !== undefined) setItems((list) => (list ?? []).filter((x) => x.id !== c.id));
  }

  return (
    <section class="pn-card" aria-labelledby="pn-callbacks-h">
      <h3 id="pn-callbacks-h" class="pn-h3">{t("out.callbacks")}</h3>
      {items && items.length === 0 && <p class="pn-hint">{t("out.no_callbacks")}</p>}
      <ul class="pn-callbacks">
        {(items ?? []).map((c) => {
          const due = c.due <= now;
          return (
            <li key={c.id} class={`pn-callback${due ? " pn-due" : ""}${raised === c.id ? " pn-raised" : ""}`}>
              <div>
                <strong><bdi>{c.customer_name ?? c.phone ?? c.id}</bdi></strong>
                {c.phone && c.customer_name && <span dir="ltr"> {c.phone}</span>}
                <div class="pn-hint">
                  {due ? <span class="pn-badge pn-badge-due">{t("out.due_now")}</span> : null} {when(c.due, locale)}
                  {c.campaign_id ? ` · ${c.campaign_id}` : ""}
                </div>
                {c.note && <div dir="auto">{c.note}</div>}
              </div>
              <div class="pn-row">
                {c.phone && <button type="button" class="pn-btn" onClick={() => props.onDial(c)}>{t("out.call_back")}</button>}
                {c.source !== "dialer" && (<>
                  <button type="button" class="pn-btn" disabled={!!action.busy} onClick={() => void finish(c, "done")}>{t("out.mark_done")}</button>
                  <button type="button" class="pn-link" disabled={!!action.busy} onClick={() => void finish(c, "cancel")}>{t("out.cancel_callback")}</button>
                </>)}
              </div>
            </li>
          );
        })}
      </ul>
      {action.error && <p class="pn-error" role="alert">{action.error}</p>}
    </section>
  );
}
