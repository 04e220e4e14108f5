// Users (admin): who may sign in, with which role and agent; create, change role or agent, reset a password,
// disable or enable. The server refuses to take the last admin away.
import { useState } from "preact/hooks";
import { errorText } from "../../../../shared/http";
import { Notice } from "../../../ui/Notice";
import { Table, type Column } from "../../../ui/Table";
import { useLoad } from "../../../ui/useLoad";
import type { PageProps } from "../../../types";
import "../config/config.css";

interface User {
  username: string; role: string; agent_id: string | null; active: boolean; totp: boolean;
  email?: string | null; phone?: string | null;
}
const ROLES = ["agent", "supervisor", "admin"];

export function UsersPage({ api, t, lang }: PageProps) {
  const users = useLoad(() => api.get<User[]>("/api/users"), []);
  const agents = useLoad(() => api.get<{ id: string }[]>("/api/config/agents"), []);
  const [draft, setDraft] = useState({ username: "", password: "", role: "agent", agent_id: "" });
  const [selected, setSelected] = useState("");
  const [edit, setEdit] = useState({ role: "agent", agent_id: "", password: "", email: "", phone: "" });
  const [notice, setNotice] = useState("");
  const [error, setError] = useState("");
  const act = async (fn: () => Promise<unknown>, done: string): Promise<boolean> => {
    setError("");
    setNotice("");
    try {
      await fn();
      setNotice(done);
      users.reload();
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    }
  };
  const path = (u: string) => `/api/users/${encodeURIComponent(u)}`;
  const create = async () => {
    const name = draft.username.trim();
    if (users.data?.some((u) => u.username === name)) {
      setNotice("");
      setError(t("adm.user_exists", { user: name }));
      return;
    }
    if (await act(() => api.put(path(name), { password: draft.password, role: draft.role, agent_id: draft.agent_id || null }),
      t("adm.user_created", { user: name }))) setDraft((d) => ({ ...d, username: "", password: "" }));
  };
  const save = (u: User) => {
    const changes: Record<string, unknown> = {};
    if (edit.role !== u.role) changes.role = edit.role;
    if ((edit.agent_id || null) !== u.agent_id) changes.agent_id = edit.agent_id || null;
    if (edit.password) changes.password = edit.password;
    if ((edit.email.trim() || null) !== (u.email ?? null)) changes.email = edit.email.trim() || null;
    if ((edit.phone.replace(/\s/g, "") || null) !== (u.phone ?? null)) changes.phone = edit.phone.replace(/\s/g, "") || null;
    void act(() => api.patch(path(u.username), changes), t("adm.user_saved", { user: u.username }))
      .then((ok) => { if (ok) setEdit((x) => ({ ...x, password: "" })); });
  };
  const agentIds = (agents.data ?? []).map((a) => a.id);
  const agentSelect = (id: string, value: string, on: (v: string) => void) => (
    <div class="field"><label for={id}>{t("adm.user_agent")}</label>
      <select id={id} value={value} onChange={(e) => on(e.currentTarget.value)}>
        <option value="">{t("adm.none")}</option>
        {agentIds.map((a) => <option key={a} value={a}>{a}</option>)}
      </select></div>
  );
  const roleSelect = (id: string, value: string, on: (v: string) => void) => (
    <div class="field"><label for={id}>{t("adm.user_role")}</label>
      <select id={id} value={value} onChange={(e) => on(e.currentTarget.value)}>
        {ROLES.map((r) => <option key={r} value={r}>{t(`adm.role.${r}`)}</option>)}
      </select></div>
  );
  const open = (u: User) => {
    setSelected(u.username);
    setEdit({ role: u.role, agent_id: u.agent_id ?? "", password: "", email: u.email ?? "", phone: u.phone ?? "" });
  };
  const current = users.data?.find((u) => u.username === selected);
  const columns: Column<User>[] = [
    { key: "username", label: t("adm.username"), sort: (u) => u.username, header: true,
      cell: (u) => <button type="button" class="btn small ghost" aria-pressed={u.username === selected} onClick={() => open(u)}>{u.username}</button> },
    { key: "role", label: t("adm.user_role"), sort: (u) => u.role, cell: (u) => t(`adm.role.${u.role}`) },
    { key: "agent", label: t("adm.user_agent"), sort: (u) => u.agent_id ?? "" },
    { key: "active", label: t("adm.user_active"), sort: (u) => (u.active ? 1 : 0), cell: (u) => (u.active ? t("adm.yes") : t("adm.no")) },
    { key: "totp", label: t("adm.user_totp"), sort: (u) => (u.totp ? 1 : 0), cell: (u) => (u.totp ? t("adm.yes") : t("adm.no")) },
  ];
  return (
    <section aria-labelledby="adm-users-h">
      <h1 id="adm-users-h">{t("nav.admin_users")}</h1>
      <Notice error={users.error} loading={users.loading && !users.data} t={t} retry={users.reload} />
      {error && <p class="banner error" role="alert">{error}</p>}
      {notice && <p class="banner ok" role="status">{notice}</p>}
      {users.data && <Table caption={t("adm.users_caption")} rows={users.data} columns={columns} t={t} lang={lang}
                            rowKey={(u) => u.username} initialSort="username" />}
      {current && (
        <form class="adm-users-form" aria-label={t("adm.user_edit", { user: current.username })}
              onSubmit={(e) => { e.preventDefault(); save(current); }}>
          <h2>{t("adm.user_edit", { user: current.username })}</h2>
          {roleSelect("u-edit-role", edit.role, (role) => setEdit({ ...edit, role }))}
          {agentSelect("u-edit-agent", edit.agent_id, (agent_id) => setEdit({ ...edit, agent_id }))}
          <label class="field"><span>{t("adm.user_new_password")}</span>
            <input type="password" autoComplete="new-password" value={edit.password} onInput={(e) => setEdit({ ...edit, password: e.currentTarget.value })} /></label>
          <label class="field"><span>{t("adm.user_email")}</span>
            <input type="email" dir="ltr" autoComplete="off" maxLength={254} value={edit.email} onInput={(e) => setEdit({ ...edit, email: e.currentTarget.value })} /></label>
          <label class="field"><span>{t("adm.user_phone")}</span>
            <input type="tel" dir="ltr" autoComplete="off" placeholder="+442079460000" value={edit.phone} onInput={(e) => setEdit({ ...edit, phone: e.currentTarget.value })} /></label>
          <button type="submit" class="btn primary">{t("adm.save")}</button>
          <button type="button" class="btn" onClick={() => void act(() => api.patch(path(current.username), { active: !current.active }),
            t(current.active ? "adm.user_disabled" : "adm.user_enabled", { user: current.username }))}>
            {t(current.active ? "adm.user_disable" : "adm.user_enable")}</button>
        </form>
      )}
      <form class="adm-users-form" aria-labelledby="adm-newuser-h"
            onSubmit={(e) => { e.preventDefault(); void create(); }}>
        <h2 id="adm-newuser-h">{t("adm.user_new")}</h2>
        <label class="field"><span>{t("adm.username")}</span>
          <input required value={draft.username} autoComplete="off" onInput={(e) => setDraft({ ...draft, username: e.currentTarget.value })} /></label>
        <label class="field"><span>{t("adm.user_password")}</span>
          <input required type="password" autoComplete="new-password" value={draft.password} onInput={(e) => setDraft({ ...draft, password: e.currentTarget.value })} /></label>
        {roleSelect("u-new-role", draft.role, (role) => setDraft({ ...draft, role }))}
        {agentSelect("u-new-agent", draft.agent_id, (agent_id) => setDraft({ ...draft, agent_id }))}
        <button type="submit" class="btn primary">{t("adm.user_create")}</button>
      </form>
    </section>
  );
}
