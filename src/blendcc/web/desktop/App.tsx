// The desktop's root: language (remembered, sets <html lang dir>), the session, and sign-in or the desk.
import { useEffect, useMemo, useState } from "preact/hooks";
import { Auth, type Session } from "../shared/auth";
import { HttpApi } from "../shared/http";
import { applyDocumentLanguage, catalogues, initialLanguage, rememberLanguage, translator } from "./i18n";
import { SignIn } from "../shared/SignIn";
import { Desk } from "./Desk";
import { LanguagePicker } from "../shared/LanguagePicker";

export function App() {
  const auth = useMemo(() => new Auth(), []);
  const api = useMemo(() => new HttpApi(auth), [auth]);
  const [lang, setLang] = useState(initialLanguage);
  const [session, setSession] = useState<Session | null>(auth.session);
  const t = useMemo(() => translator(lang), [lang]);

  useEffect(() => auth.onChange(setSession), [auth]);
  useEffect(() => {
    applyDocumentLanguage(lang);
    document.title = t("app.title");
  }, [lang, t]);

  const changeLang = (l: string) => {
    rememberLanguage(l);
    setLang(l);
  };
  const picker = <LanguagePicker lang={lang} t={t} catalogues={catalogues} onChange={changeLang} />;

  if (!session) return <SignIn auth={auth} t={t} picker={picker} />;
  if (!session.agent_id) {
    return (
      <main class="signin">
        <div class="card signin-card" role="alert">
          <h1>{t("app.title")}</h1>
          <p>{t("signin.not_agent", { user: session.username, role: session.role })}</p>
          <button type="button" class="btn" onClick={() => void auth.signOut()}>{t("signout")}</button>
        </div>
      </main>
    );
  }
  return <Desk key={session.username} auth={auth} api={api} session={session} t={t} lang={lang} picker={picker} />;
}
