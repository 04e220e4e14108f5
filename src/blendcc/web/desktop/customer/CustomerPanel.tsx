// The screen pop of the open conversation: the customer card (identity, tier, fields, tags, CRM data),
// open conversations, merge suggestions when the server gives them, the cross-channel timeline, and
// editing (name, tier, tags) for the roles the server lets edit customers (supervisor, admin); knowledge-base
// articles suggested from a written conversation.
import { useEffect, useState } from "preact/hooks";
import type { Api, Customer, ScreenPop, T, WorkItem } from "../types";
import { errorText } from "../../shared/http";
import { Articles } from "./Articles";
import { CustomerEdit } from "./CustomerEdit";
import { Timeline } from "./Timeline";

interface Props {
  item: WorkItem;
  pop: ScreenPop | undefined;
  api: Api;
  t: T;
  lang: string;
  /** the server lets supervisors and admins edit customers; agents see the card read-only */
  canEdit: boolean;
  onPop(pop: ScreenPop): void;
}

export function CustomerPanel({ item, pop, api, t, lang, canEdit, onPop }: Props) {
  const [error, setError] = useState("");
  const [editing, setEditing] = useState(false);

  useEffect(() => {
    if (pop?.crm) return; // the full screen pop is here (the offer's lacks only the CRM part)
    api.get<ScreenPop>(`/api/contacts/${encodeURIComponent(item.contact_id)}/screen-pop`)
      .then(onPop)
      .catch((e) => setError(errorText(e)));
  }, [item.contact_id, api]);

  const customer = pop?.customer ?? null;
  const updated = (c: Customer) => {
    if (pop) onPop({ ...pop, customer: c });
    setEditing(false);
  };

  return (
    <section class="customer" aria-labelledby="customer-title">
      <h2 id="customer-title">{t("customer.title")}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {!pop && !error && <p class="muted">{t("loading")}</p>}
      {pop && !customer && <p class="muted">{t("customer.none")}</p>}
      {customer && (
        <div class="card customer-card">
          <div class="customer-head">
            <strong class="customer-name">{customer.name || t("customer.unknown")}</strong>
            <span class={`tier tier-${customer.tier}`}>{customer.tier}</span>
            {canEdit && (
              <button type="button" class="btn ghost small" aria-expanded={editing} onClick={() => setEditing((e) => !e)}>
                {t("customer.edit")}
              </button>
            )}
          </div>
          {canEdit && editing && <CustomerEdit customer={customer} api={api} t={t} onSaved={updated} />}
          <dl class="facts">
            {customer.identities.map(([kind, value]) => (
              <div key={`${kind}:${value}`}><dt>{t(`identity.${kind}`)}</dt><dd dir="ltr">{value}</dd></div>
            ))}
            {Object.entries(customer.fields).map(([k, v]) => (
              <div key={k}><dt>{k}</dt><dd>{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd></div>
            ))}
          </dl>
          {customer.tags.length > 0 && (
            <ul class="tags" aria-label={t("customer.tags")}>
              {customer.tags.map((tag) => <li key={tag}>{tag}</li>)}
            </ul>
          )}
        </div>
      )}
      {pop?.crm && pop.crm.status !== "not_configured" && pop.crm.status !== "no_customer" && (
        <div class="card crm">
          <h3>{t("customer.crm")}</h3>
          {pop.crm.status === "ok" && pop.crm.data ? (
            <dl class="facts">
              {Object.entries(pop.crm.data).map(([k, v]) => (
                <div key={k}><dt>{k}</dt><dd>{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd></div>
              ))}
            </dl>
          ) : <p class="muted">{t("customer.crm_unavailable", { reason: pop.crm.error ?? "" })}</p>}
        </div>
      )}
      {pop?.merge_suggestions && pop.merge_suggestions.length > 0 && (
        <div class="card merges">
          <h3>{t("customer.merge_suggestions")}</h3>
          <ul>
            {pop.merge_suggestions.map((m) => (
              <li key={m.customer_id}>{m.name ?? m.customer_id}{m.reason ? ` · ${m.reason}` : ""}</li>
            ))}
          </ul>
        </div>
      )}
      {pop && pop.open_conversations.length > 0 && (
        <div class="card open-convs">
          <h3>{t("customer.open")}</h3>
          <ul>
            {pop.open_conversations.map((c) => (
              <li key={c.contact_id}>{t(`channel.${c.channel}`)} · {t(`cstate.${c.state}`)}</li>
            ))}
          </ul>
        </div>
      )}
      {item.channel !== "voice" && <Articles contactId={item.contact_id} api={api} t={t} />}
      {customer && <Timeline customerId={customer.id} api={api} t={t} lang={lang} />}
    </section>
  );
}
