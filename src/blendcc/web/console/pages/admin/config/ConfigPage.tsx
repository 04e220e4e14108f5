// Configuration (admin): the kinds of documents, a table of each kind's documents, and the generic editor.
import { Notice } from "../../../ui/Notice";
import { Table, type Column } from "../../../ui/Table";
import { useLoad } from "../../../ui/useLoad";
import type { PageProps } from "../../../types";
import { Editor } from "./Editor";
import type { KindInfo } from "./schema";
import "./config.css";

type Doc = { id?: string; name?: string } & Record<string, unknown>;

export function ConfigPage(props: PageProps) {
  const { api, t, route } = props;
  const schemas = useLoad(() => api.get<{ kinds: Record<string, KindInfo> }>("/api/config/_schemas"), []);
  const [, , kind, id] = route.path.split("/");
  const kinds = schemas.data?.kinds;
  if (!kinds) return <Notice error={schemas.error} loading={schemas.loading} t={t} retry={schemas.reload} />;
  if (kind && !kinds[kind]) return <p class="banner error" role="alert">{t("adm.unknown_kind", { kind })}</p>;
  if (kind && id) return <Editor {...props} kinds={kinds} kind={kind} id={id} />;
  if (kind) return <KindList {...props} kind={kind} />;
  return (
    <section aria-labelledby="adm-config-h">
      <h1 id="adm-config-h">{t("nav.admin_config")}</h1>
      <p class="muted">{t("adm.intro")}</p>
      <ul class="adm-kinds">
        {Object.keys(kinds).map((k) => (
          <li key={k}><a class="btn" href={`#/admin/config/${k}`}>{t(`adm.kind.${k}`)}</a></li>
        ))}
      </ul>
    </section>
  );
}

function KindList({ api, t, lang, kind }: PageProps & { kind: string }) {
  const loaded = useLoad(() => api.get<Doc[]>(`/api/config/${kind}`), [kind]);
  const columns: Column<Doc>[] = [
    { key: "id", label: t("adm.id"), sort: (d) => d.id ?? "", header: true,
      cell: (d) => <a href={`#/admin/config/${kind}/${encodeURIComponent(d.id ?? "routing")}`}>{d.id ?? "routing"}</a> },
    { key: "name", label: t("adm.name"), sort: (d) => (typeof d.name === "string" ? d.name : "") },
    { key: "summary", label: t("adm.summary"), cell: (d) => <code class="wrap">{summary(d)}</code> },
  ];
  return (
    <section aria-labelledby="adm-kind-h">
      <p><a href="#/admin/config">{t("nav.admin_config")}</a></p>
      <h1 id="adm-kind-h">{t(`adm.kind.${kind}`)}</h1>
      <p><a class="btn primary" href={`#/admin/config/${kind}/_new`}>{t("adm.new", { kind: t(`adm.kind.${kind}`) })}</a></p>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {loaded.data && (
        <Table caption={t("adm.list_caption", { kind: t(`adm.kind.${kind}`) })} rows={loaded.data} columns={columns}
               t={t} lang={lang} rowKey={(d) => d.id ?? "routing"} initialSort="id" />
      )}
    </section>
  );
}

/** A short line of a document's other fields, for the table. */
function summary(d: Doc): string {
  const text = JSON.stringify(Object.fromEntries(Object.entries(d).filter(([k]) => k !== "id" && k !== "name")));
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
