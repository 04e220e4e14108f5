// The console's root: language (remembered, sets <html lang dir>), the session, sign-in, then the shell.
import { useEffect, useMemo, useState } from "preact/hooks";
import { Auth, takeHandoff, type Session } from "../shared/auth";
import { HttpApi, errorText } from "../shared/http";
import { applyDocumentLanguage } from "../shared/i18n";
import { LanguagePicker } from "../shared/LanguagePicker";
import { SignIn } from "../shared/SignIn";
import { catalogues } from "./i18n";
import { Shell } from "./Shell";
import type { ConsoleContext } from "./types";

const ROLES = new Set(["supervisor", "admin"]);

export function App() {
  const auth = useMemo(() => new Auth("blendcc.console.session"), []);
  const api = useMemo(() => new HttpApi(auth), [auth]);
  const [lang, setLang] = useState(() => catalogues.initial());
  const [session, setSession] = useState<Session | null>(auth.session);
  const [ctx, setCtx] = useState<ConsoleContext | null>(null);
  const [error, setError] = useState("");
  const t = useMemo(() => catalogues.translator(lang), [lang]);

  useEffect(() => auth.onChange(setSession), [auth]);
  useEffect(() => {  // single sign-on's answer or a kiosk link (#token=...&refresh=...): signed in, URL cleaned
    const handoff = takeHandoff("#/wallboard");
    if (handoff) void auth.adopt(handoff);
  }, [auth]);
  useEffect(() => {
    applyDocumentLanguage(lang);
    document.title = t("app.title");
  }, [lang, t]);
  useEffect(() => {
    setCtx(null);
    setError("");
    if (!session || !ROLES.has(session.role)) return;
    api.get<ConsoleContext>("/api/console/context").then(setCtx, (e: unknown) => setError(errorText(e)));
  }, [api, session?.username]);

  const changeLang = (l: string) => {
    catalogues.remember(l);
    setLang(l);
  };
  const picker = <LanguagePicker lang={lang} t={t} catalogues={catalogues} onChange={changeLang} />;

  if (!session) return <SignIn auth={auth} t={t} picker={picker} />;
  if (!ROLES.has(session.role) || error) {
    return (
      <main class="signin">
        <div class="card signin-card" role="alert">
          <h1>{t("app.title")}</h1>
          <p>{error || t("signin.not_supervisor", { user: session.username, role: session.role })}</p>
          <button type="button" class="btn" onClick={() => void auth.signOut()}>{t("signout")}</button>
        </div>
      </main>
    );
  }
  if (!ctx) return <main class="signin"><p class="muted" role="status">{t("loading")}</p></main>;
  return <Shell key={session.username} auth={auth} api={api} ctx={ctx} t={t} lang={lang} picker={picker} />;
}
