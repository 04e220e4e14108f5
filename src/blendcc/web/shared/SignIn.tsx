// Sign-in (desktop, console): username and password, the one-time code once the server asks for it, errors shown.
import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { SignInError, type Auth } from "./auth";
import type { T } from "./i18n";

export function SignIn({ auth, t, picker }: { auth: Auth; t: T; picker: ComponentChildren }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const totpRef = useRef<HTMLInputElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await auth.signIn(username.trim(), password, needTotp ? totp.trim() : undefined);
    } catch (err) {
      if (err instanceof SignInError && err.code === "totp_required") {
        setNeedTotp(true);
        setError(t("signin.totp_needed"));
        setTimeout(() => totpRef.current?.focus(), 0);
      } else if (err instanceof SignInError) {
        setError(err.status === 401 ? t("signin.bad_credentials") : err.message);
      } else {
        setError(t("error.network"));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form class="card signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <div class="signin-head">
          <h1 id="signin-title">{t("signin.title")}</h1>
          {picker}
        </div>
        <p class="muted">{t("signin.intro")}</p>
        <label class="field">
          <span>{t("signin.username")}</span>
          <input name="username" autocomplete="username" required value={username}
                 onInput={(e) => {
                   setUsername((e.currentTarget as HTMLInputElement).value);
                   setNeedTotp(false); // another user: the server says again whether a code is needed
                   setTotp("");
                 }} />
        </label>
        <label class="field">
          <span>{t("signin.password")}</span>
          <input name="password" type="password" autocomplete="current-password" required value={password}
                 onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
        </label>
        {needTotp && (
          <label class="field">
            <span>{t("signin.totp")}</span>
            <input ref={totpRef} name="totp" inputMode="numeric" autocomplete="one-time-code" required value={totp}
                   onInput={(e) => setTotp((e.currentTarget as HTMLInputElement).value)} />
          </label>
        )}
        <p class="error" role="alert" aria-live="assertive">{error}</p>
        <button type="submit" class="btn primary" disabled={busy}>{busy ? t("signin.busy") : t("signin.submit")}</button>
      </form>
    </main>
  );
}
