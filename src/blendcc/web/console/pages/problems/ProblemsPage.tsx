// Problems (supervisor): problem records grouping the contacts tagged with a known problem (dispositions or words of
// the customer), newest first, with their status and count; a form opens a new one (matching contacts are linked at
// once); a record opens its detail (ProblemDetail).
import { useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { Table } from "../../ui/Table";
import { formatNumber, formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { errorText } from "../../../shared/http";
import type { PageProps } from "../../types";
import { ProblemDetail } from "./ProblemDetail";
import { splitList, type Problem } from "./types";
import "./problems.css";

export function ProblemsPage(props: PageProps) {
  const { api, t, lang, ctx, route, navigate } = props;
  const id = route.path.split("/")[1];
  const list = useLoad(() => api.get<Problem[]>("/api/problems"), [api, id]);
  const [form, setForm] = useState({ title: "", dispositions: "", phrases: "", queues: "", workaround: "" });
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  if (id) return <ProblemDetail {...props} id={decodeURIComponent(id)} />;

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const made = await api.post<Problem>("/api/problems", {
        title: form.title, workaround: form.workaround,
        rules: { dispositions: splitList(form.dispositions), phrases: splitList(form.phrases), queues: splitList(form.queues) } });
      navigate(`problems/${encodeURIComponent(made.problem_id)}`);
    } catch (err) { setError(errorText(err)); } finally { setBusy(false); }
  };
  const field = (key: keyof typeof form, label: string, hint?: string) => (
    <label class="field grow"><span>{label}</span>
      <input value={form[key]} maxLength={key === "workaround" ? 4000 : 1000} required={key === "title"}
        aria-describedby={hint ? `problem-${key}-hint` : undefined}
        onInput={(e) => setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value })} />
      {hint && <small id={`problem-${key}-hint`} class="muted">{hint}</small>}
    </label>
  );
  return (
    <section aria-labelledby="problems-h" class="problems">
      <h1 id="problems-h">{t("nav.problems")}</h1>
      <Notice error={error || list.error} loading={list.loading && !list.data} t={t} retry={list.reload} />
      <Table caption={t("problems.list")} rows={list.data ?? []} rowKey={(p) => p.problem_id} t={t} lang={lang}
        initialSort="opened" initialDir="desc" empty={t("problems.none")} columns={[
          { key: "title", label: t("problems.title"), header: true, sort: (p) => p.title,
            cell: (p) => <a href={`#/problems/${encodeURIComponent(p.problem_id)}`}>{p.title}</a> },
          { key: "status", label: t("problems.status"), sort: (p) => p.status,
            cell: (p) => <span class={`status status-${p.status}`}>{t(`problems.status.${p.status}`)}</span> },
          { key: "contacts", label: t("problems.contacts"), numeric: true, sort: (p) => p.contacts,
            cell: (p) => formatNumber(lang, p.contacts) },
          { key: "opened", label: t("problems.opened"), sort: (p) => p.opened_at,
            cell: (p) => formatWhen(lang, p.opened_at, ctx.timezone) },
        ]} />
      <h2>{t("problems.new")}</h2>
      <form class="filters" onSubmit={(e) => void create(e)}>
        {field("title", t("problems.title"))}
        {field("dispositions", t("problems.dispositions"), t("problems.comma_hint"))}
        {field("phrases", t("problems.phrases"), t("problems.comma_hint"))}
        {field("queues", t("problems.queues"), t("problems.queues_hint"))}
        {field("workaround", t("problems.workaround"))}
        <button type="submit" class="btn primary" disabled={busy}>{t("problems.open_button")}</button>
      </form>
    </section>
  );
}
