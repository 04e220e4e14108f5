// Channels (admin, read-only): mailboxes, SMS and WhatsApp numbers, Messenger pages, Telegram bots and chat
// widgets as the server's settings (environment) configure them; no secrets are shown.
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { useLoad } from "../../ui/useLoad";
import type { PageProps } from "../../types";
import "../wfm/wfm.css";

interface Channel { kind: string; name: string; address: string | null; workflow: string | null; detail: Record<string, unknown> }
interface Channels { settings: Record<string, string>; channels: Channel[] }

export function ChannelsPage({ api, t, lang }: PageProps) {
  const loaded = useLoad(() => api.get<Channels>("/api/channels"), []);
  const cols: Column<Channel>[] = [
    { key: "kind", label: t("lists.ch.kind"), sort: (c) => c.kind, cell: (c) => t(`lists.ch.kind_${c.kind}`) },
    { key: "name", label: t("lists.ch.name"), header: true, sort: (c) => c.name },
    { key: "address", label: t("lists.ch.address"), sort: (c) => c.address ?? "", cell: (c) => <span dir="ltr">{c.address ?? "–"}</span> },
    { key: "workflow", label: t("lists.ch.workflow"), sort: (c) => c.workflow ?? "", cell: (c) => c.workflow ?? t("lists.ch.by_channel") },
    { key: "detail", label: t("lists.ch.detail"), cell: (c) => (
      <span class="chan-detail">
        {c.kind === "webchat" && <span class="swatch-box" style={{ background: String(c.detail.primary_colour), color: String(c.detail.text_colour) }}>{String(c.detail.centre_name)}</span>}
        <code class="wrap">{Object.entries(c.detail).filter(([, v]) => v !== null && !(Array.isArray(v) && !v.length)).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("|") : String(v)}`).join(", ")}</code>
      </span>
    ) },
    { key: "env", label: t("lists.ch.setting"), cell: (c) => <code>{loaded.data?.settings[c.kind] ?? ""}</code> },
  ];
  return (
    <section aria-labelledby="ch-h" class="lists">
      <h1 id="ch-h">{t("nav.channels")}</h1>
      <p class="banner warn">{t("lists.ch.read_only")}</p>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {loaded.data && <Table caption={t("lists.ch.caption")} rows={loaded.data.channels} columns={cols} t={t} lang={lang} rowKey={(c) => `${c.kind}-${c.name}`} />}
    </section>
  );
}
