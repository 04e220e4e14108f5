// The audit trail (admin): who changed, forced, listened to or exported what, newest first, filtered.
import { useState } from "preact/hooks";
import { Table, type Column } from "../../ui/Table";
import { Notice } from "../../ui/Notice";
import { formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import type { PageProps } from "../../types";

interface Entry { at: number; actor: string | null; action: string; target: string | null; detail: Record<string, unknown>; client: string | null }

export function AuditPage({ api, t, lang, ctx, route, navigate }: PageProps) {
  const actor = route.query.get("actor") ?? "";
  const action = route.query.get("action") ?? "";
  const [draft, setDraft] = useState({ actor, action });
  const q = new URLSearchParams({ limit: "200", ...(actor ? { actor } : {}), ...(action ? { action } : {}) });
  const loaded = useLoad(() => api.get<Entry[]>(`/api/audit?${q}`), [actor, action]);
  const columns: Column<Entry>[] = [
    { key: "at", label: t("audit.at"), sort: (e) => e.at, cell: (e) => formatWhen(lang, e.at, ctx.timezone) },
    { key: "actor", label: t("audit.actor"), sort: (e) => e.actor ?? "", header: true },
    { key: "action", label: t("audit.action"), sort: (e) => actionLabel(t, e.action), cell: (e) => {
      const label = actionLabel(t, e.action); // in words (web/i18n/console/actions.*.json); the API's name beside
      return label === e.action ? label
        : <>{label} <code class="muted" dir="ltr" title={t("act.raw", { name: e.action })}>{e.action}</code></>;
    } },
    { key: "target", label: t("audit.target"), sort: (e) => e.target ?? "" },
    { key: "detail", label: t("audit.detail"), cell: (e) => <code class="wrap">{JSON.stringify(e.detail)}</code> },
  ];
  return (
    <section aria-labelledby="audit-h">
      <h1 id="audit-h">{t("nav.audit")}</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); navigate(route.path, draft); }}>
        <label class="field"><span>{t("audit.actor")}</span>
          <input value={draft.actor} onInput={(e) => setDraft({ ...draft, actor: (e.currentTarget as HTMLInputElement).value })} /></label>
        <label class="field"><span>{t("audit.action")}</span>
          <input value={draft.action} onInput={(e) => setDraft({ ...draft, action: (e.currentTarget as HTMLInputElement).value })} /></label>
        <button type="submit" class="btn primary">{t("filter.apply")}</button>
      </form>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {loaded.data && (
        <Table caption={t("audit.caption")} rows={loaded.data} columns={columns} t={t} lang={lang}
               rowKey={(e) => `${e.at}-${e.action}-${e.target}-${e.actor}`} initialSort="at" initialDir="desc" />
      )}
    </section>
  );
}

/** An audit action in words when the catalogue has it (act.<action>), else its name. */
function actionLabel(t: PageProps["t"], action: string): string {
  const k = `act.${action}`;
  return t(k) !== k ? t(k) : action;
}
