// Saved report definitions: open one (its query goes into the URL), save the current query under a name, delete.
import { useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import { useLoad } from "../../ui/useLoad";
import type { PageProps } from "../../types";
import { fromApi, toApi, type Query, type Saved } from "./query";

export function Definitions({ api, t, route, navigate, query }: PageProps & { query: Query | null }) {
  const list = useLoad(() => api.get<Saved[]>("/api/reports/definitions"), []);
  const current = route.query.get("def") ?? "";
  const [chosen, setChosen] = useState(current);
  const [name, setName] = useState("");
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");
  const defs = list.data ?? [];
  const pick = chosen || current || defs[0]?.id || "";
  const open = (id: string) => {
    const d = defs.find((x) => x.id === id);
    if (d) navigate("reports", { ...fromApi(d.query), def: d.id });
  };
  const save = async (e: Event) => {
    e.preventDefault();
    if (!query) return;
    setError("");
    try {
      const saved = await api.post<Saved>("/api/reports/definitions", { name: name.trim(), query: toApi(query) });
      setStatus(t("rep.saved", { name: saved.name }));
      setName("");
      setChosen(saved.id);
      list.reload();
      const params = Object.fromEntries(route.query.entries());
      navigate("reports", { ...params, def: saved.id });
    } catch (err) {
      setError(errorText(err));
    }
  };
  const remove = async () => {
    const d = defs.find((x) => x.id === pick);
    if (!d) return;
    setError("");
    try {
      await api.del(`/api/reports/definitions/${encodeURIComponent(d.id)}`);
      setStatus(t("rep.deleted", { name: d.name }));
      setChosen("");
      list.reload();
      if (current === d.id) {
        const params = Object.fromEntries(route.query.entries());
        delete params.def;
        navigate("reports", params);
      }
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div class="rep-defs" role="group" aria-labelledby="rep-defs-h">
      <h2 id="rep-defs-h">{t("rep.defs")}</h2>
      {defs.length > 0 ? (
        <div class="filters">
          <label class="field"><span>{t("rep.def")}</span>
            <select value={pick} onChange={(e) => setChosen((e.currentTarget as HTMLSelectElement).value)}>
              {defs.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
            </select></label>
          <button type="button" class="btn" onClick={() => open(pick)}>{t("rep.open")}</button>
          <button type="button" class="btn" onClick={remove}>{t("rep.delete")}</button>
        </div>
      ) : (
        <p class="muted">{list.loading ? t("loading") : t("rep.no_defs")}</p>
      )}
      <form class="filters" onSubmit={save}>
        <label class="field"><span>{t("rep.save_name")}</span>
          <input value={name} required maxLength={120} disabled={!query}
                 onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} /></label>
        <button type="submit" class="btn" disabled={!query || !name.trim()}>{t("rep.save")}</button>
      </form>
      <p role="status" class="muted rep-status">{status}</p>
      {(error || list.error) && <p role="alert" class="banner error">{error || list.error}</p>}
    </div>
  );
}
