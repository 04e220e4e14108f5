// The console's frame: header (centre clock with its time zone, link state, user, language, sign-out),
// the navigation by section, and the current view's page.
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import type { Auth } from "../shared/auth";
import type { Api } from "../shared/http";
import { LiveSocket, type LinkState } from "../shared/socket";
import { PAGES, SECTIONS, mayOpen, pageFor } from "./pages";
import { PhoneBar } from "./pages/monitor/MonitorPhone";
import { hrefOf, navigate, parseHash, useRoute } from "./router";
import type { ConsoleContext, T } from "./types";

export function Shell(props: { auth: Auth; api: Api; ctx: ConsoleContext; t: T; lang: string; picker: ComponentChildren }) {
  const { auth, api, ctx, t, lang } = props;
  const route = useRoute();
  const socket = useMemo(() => new LiveSocket(auth, "/ws/supervisor"), [auth]);
  const [link, setLink] = useState<LinkState>("connecting");
  useEffect(() => {
    const off = socket.onLink((s) => setLink(s));
    socket.start();
    return () => {
      off();
      socket.stop();
    };
  }, [socket]);

  const visible = PAGES.filter((p) => mayOpen(p, ctx.role));
  const page = pageFor(route.path, ctx.role);
  useEffect(() => {  // an empty or unknown path opens the first view this role may see (the address read
    // again: it may have changed between this render and the effect, e.g. a bookmark opened at sign-in)
    if (!pageFor(parseHash(location.hash).path, ctx.role) && visible.length) navigate(visible[0].path);
  }, [page, visible.length]);
  useEffect(() => {
    document.title = page ? `${t(page.label)} · ${t("app.title")}` : t("app.title");
  }, [page, t]);

  const Page = page?.component;
  return (
    <div class="console">
      <header class="topbar">
        <a class="brand" href={hrefOf(visible[0]?.path ?? "")}><span class="logo" aria-hidden="true" />{t("app.title")}</a>
        <CentreClock lang={lang} timezone={ctx.timezone} t={t} />
        <span class={`link link-${link}`} role="status">{link === "online" ? t("link.online") : t(`link.${link}`, { reason: "" })}</span>
        <span class="spacer" />
        <span class="who">{t("who", { user: ctx.username, role: t(`role.${ctx.role}`) })}</span>
        {props.picker}
        <button type="button" class="btn small" onClick={() => void auth.signOut()}>{t("signout")}</button>
      </header>
      <div class="frame">
        <nav class="nav" aria-label={t("nav.label")}>
          {SECTIONS.map((section) => {
            const items = visible.filter((p) => p.section === section);
            if (!items.length) return null;
            return (
              <div class="nav-section" key={section}>
                <h2 class="nav-title">{t(`nav.section.${section}`)}</h2>
                <ul>
                  {items.map((p) => (
                    <li key={p.path}>
                      <a href={hrefOf(p.path)} aria-current={page?.path === p.path ? "page" : undefined}>{t(p.label)}{p.badge && <p.badge api={api} socket={socket} t={t} lang={lang} />}</a>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
        </nav>
        <main class="view" id="view" tabIndex={-1}>
          {/* the browser phone lives as long as the console: a monitoring call goes on across views */}
          <PhoneBar socket={socket} t={t} ctx={ctx} monitorOpen={page?.path === "monitor"} />
          {Page ? <Page key={page.path} api={api} socket={socket} t={t} lang={lang} ctx={ctx} route={route} navigate={navigate} />
            : <p class="muted">{visible.length ? t("loading") : t("nav.nothing")}</p>}
        </main>
      </div>
    </div>
  );
}

/** The centre's clock, labelled with its time zone (every figure on the console is in the centre's time). */
function CentreClock({ lang, timezone, t }: { lang: string; timezone: string; t: T }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, []);
  const fmt = useMemo(() => {
    try {
      return new Intl.DateTimeFormat(lang, { timeStyle: "medium", timeZone: timezone });
    } catch {
      return new Intl.DateTimeFormat(lang, { timeStyle: "medium", timeZone: "UTC" });
    }
  }, [lang, timezone]);
  return (
    <span class="clock" title={t("clock.title", { tz: timezone })}>
      <time>{fmt.format(new Date(now))}</time> <span class="tz">{timezone}</span>
    </span>
  );
}
