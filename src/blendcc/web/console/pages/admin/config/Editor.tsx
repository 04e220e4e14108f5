// One configuration document: the form generated from its schema (or its raw JSON), checked by the server
// before saving (each problem at its field), its version history and, for workflows and IVR flows, "Try it".
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../../../shared/http";
import { Notice } from "../../../ui/Notice";
import { useLoad } from "../../../ui/useLoad";
import type { PageProps } from "../../../types";
import { History } from "./History";
import { locLabel } from "./labels";
import { type FormCtx, ObjectFields, domId } from "./SchemaForm";
import { type Json, type KindInfo, type Obj, key, setAt } from "./schema";
import { ExpressionHelp, TryIvr, TryWorkflow } from "./TryIt";

interface FieldError { loc: (string | number)[]; msg: string }

export function Editor(props: PageProps & { kinds: Record<string, KindInfo>; kind: string; id: string }) {
  const { api, t, kind, navigate } = props;
  const info = props.kinds[kind];
  const isNew = props.id === "_new";
  const [newId, setNewId] = useState("");
  const id = isNew ? newId.trim() : props.id;
  const refKinds = [...new Set(Object.values(info.refs))];
  const options = useLoad(async () => Object.fromEntries(await Promise.all(refKinds.map(async (k) =>
    [k, (await api.get<{ id: string }[]>(`/api/config/${k}`)).map((d) => d.id)] as const))), [kind]);
  const loaded = useLoad(() => (isNew ? Promise.resolve({}) : api.get<Obj>(`/api/config/${kind}/${encodeURIComponent(props.id)}`)),
    [kind, props.id]);
  const [doc, setDoc] = useState<Json>({});
  const [tab, setTab] = useState<"form" | "json">("form");
  const [jsonText, setJsonText] = useState("");
  const [jsonError, setJsonError] = useState("");
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [notice, setNotice] = useState("");
  const [failure, setFailure] = useState("");
  const [busy, setBusy] = useState(false);
  const [stamp, setStamp] = useState(0);
  const [confirming, setConfirming] = useState(false);
  useEffect(() => { if (loaded.data) setDoc(loaded.data as Json); }, [loaded.data]);

  const errMap = Object.fromEntries(errors.map((e) => [key(e.loc), e.msg]));
  const ctx: FormCtx = { kind, root: info.schema, refs: info.refs, options: options.data ?? {}, errors: errMap, t,
    set: (path, value) => setDoc((d) => setAt(d, path, value)) };
  const fail = (list: FieldError[]) => {
    setErrors(list);
    requestAnimationFrame(() => {
      const first = list.map((e) => document.getElementById(domId("f", e.loc))).find(Boolean)
        ?? document.getElementById("adm-errors");
      first?.focus();
    });
  };
  const save = async () => {
    setNotice("");
    setFailure("");
    if (!id) {
      fail([{ loc: ["id"], msg: t("adm.id_needed") }]);
      return;
    }
    setBusy(true);
    try {
      const path = `/api/config/${kind}/${encodeURIComponent(id)}`;
      const check = await api.post<{ valid: boolean; errors: FieldError[] }>(`${path}/validate`, doc);
      if (!check.valid) {
        fail(check.errors);
        return;
      }
      const r = await api.put<{ version: number; document: Obj }>(path, doc);
      setErrors([]);
      setDoc(r.document as Json);
      setNotice(t("adm.saved", { version: r.version }));
      setStamp((s) => s + 1);
      if (isNew) navigate(`admin/config/${kind}/${id}`);
    } catch (e) {
      setFailure(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setFailure("");
    try {
      await api.del(`/api/config/${kind}/${encodeURIComponent(id)}`);
      navigate(`admin/config/${kind}`);
    } catch (e) {
      setConfirming(false);
      setFailure(errorText(e));
    }
  };
  const showJson = () => {
    setJsonText(JSON.stringify(doc, null, 2));
    setJsonError("");
    setTab("json");
  };
  const showForm = () => {
    try {
      setDoc(JSON.parse(jsonText) as Json);
      setTab("form");
    } catch (e) {
      setJsonError(errorText(e));
    }
  };
  const title = isNew ? t("adm.new_title", { kind: t(`adm.kind.${kind}`) }) : t("adm.edit_title", { kind: t(`adm.kind.${kind}`), id });
  return (
    <section aria-labelledby="adm-edit-h" class="adm-editor">
      <p><a href={`#/admin/config/${kind}`}>{t("adm.back_to", { kind: t(`adm.kind.${kind}`) })}</a></p>
      <h1 id="adm-edit-h">{title}</h1>
      <Notice error={loaded.error || options.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {errors.length > 0 && (
        <div id="adm-errors" class="banner error" role="alert" tabIndex={-1}>
          <p>{t("adm.errors_intro", { n: errors.length })}</p>
          <ul>{errors.map((e, i) => <li key={i}>{e.loc.length ? <><bdi class="adm-loc">{e.loc.length === 1 && e.loc[0] === "id" ? t("adm.id")
            : locLabel(t, kind, e.loc)}</bdi> <code class="adm-raw" dir="ltr">{key(e.loc)}</code>: </> : null}<bdi>{e.msg}</bdi></li>)}</ul>
        </div>
      )}
      {failure && <p class="banner error" role="alert">{failure}</p>}
      {notice && <p class="banner ok" role="status">{notice}</p>}
      {loaded.data && !loaded.loading && (
        <form class="adm-form" noValidate onSubmit={(e) => { e.preventDefault(); void save(); }}>
          {isNew && (
            <div class="field">
              <label for="f-id">{t("adm.id")}</label>
              <input id="f-id" value={newId} onInput={(e) => setNewId(e.currentTarget.value)} required
                     aria-invalid={errMap.id ? "true" : undefined} aria-describedby={errMap.id ? "e-id" : "h-id"} />
              {errMap.id ? <span id="e-id" class="field-error" dir="auto">{errMap.id}</span>
                : <small id="h-id" class="muted">{t("adm.id_hint")}</small>}
            </div>
          )}
          <div class="adm-tabs" role="group" aria-label={t("adm.view")}>
            <button type="button" class="btn small" aria-pressed={tab === "form"} onClick={showForm}>{t("adm.tab_form")}</button>
            <button type="button" class="btn small" aria-pressed={tab === "json"} onClick={showJson}>{t("adm.tab_json")}</button>
          </div>
          {tab === "form" ? (
            <ObjectFields ctx={ctx} path={[]} legend="" s={{ ...info.schema, properties: Object.fromEntries(
              Object.entries(info.schema.properties ?? {}).filter(([n]) => n !== "id")) }} value={doc} />
          ) : (
            <div class="field">
              <label for="f-json">{t("adm.tab_json")}</label>
              <textarea id="f-json" class="code" dir="ltr" rows={24} spellcheck={false} value={jsonText}
                        aria-invalid={jsonError ? "true" : undefined} aria-describedby={jsonError ? "e-json" : undefined}
                        onInput={(e) => {
                          setJsonText(e.currentTarget.value);
                          try { setDoc(JSON.parse(e.currentTarget.value) as Json); setJsonError(""); } catch (x) { setJsonError(errorText(x)); }
                        }} />
              {jsonError && <span id="e-json" class="field-error" dir="auto">{jsonError}</span>}
            </div>
          )}
          {kind === "workflows" && <ExpressionHelp api={api} t={t} />}
          <div class="adm-actions">
            <button type="submit" class="btn primary" disabled={busy}>{t("adm.save")}</button>
            {!isNew && !confirming && <button type="button" class="btn" onClick={() => setConfirming(true)}>{t("adm.delete")}</button>}
            {confirming && (
              <span role="group" aria-label={t("adm.delete_confirm", { id })} class="adm-confirm">
                <span>{t("adm.delete_confirm", { id })}</span>
                <button type="button" class="btn" onClick={() => void remove()}>{t("adm.delete_yes")}</button>
                <button type="button" class="btn ghost" onClick={() => setConfirming(false)}>{t("adm.delete_no")}</button>
              </span>
            )}
          </div>
        </form>
      )}
      {loaded.data && kind === "workflows" && <TryWorkflow api={api} t={t} doc={{ ...(doc as Obj), id: id || "draft" }} />}
      {loaded.data && kind === "ivr_flows" && <TryIvr api={api} t={t} doc={{ ...(doc as Obj), id: id || "draft" }} />}
      {!isNew && <History api={api} t={t} lang={props.lang} ctx={props.ctx} kind={kind} id={id} stamp={stamp}
                          onRestored={(v) => { setNotice(t("adm.restored", { version: v })); setErrors([]); setStamp((s) => s + 1); loaded.reload(); }} />}
    </section>
  );
}

