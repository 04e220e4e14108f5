// The embeddable widget's entry: `<script src="https://centre/widget.js" data-instance="default" async>`
// adds a shadow-rooted launcher and chat panel to the page; its server is where the script came from.
import { render } from "preact";
import { App } from "./App";
import { Api } from "./protocol";
import { Store } from "./storage";
import css from "./widget.css?inline";

function ownScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>("script[data-instance][src*='widget.js']");
}

function mount(): void {
  const script = ownScript();
  if (!script?.src) return;
  const src = new URL(script.src, document.baseURI);
  const base = `${src.origin}${src.pathname.replace(/\/widget\.js$/, "")}`;
  const instance = script.dataset.instance || "default";
  const host = document.createElement("div");
  host.setAttribute("data-blendcc-widget", instance);
  const shadow = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet(); // a constructed sheet: the host page's CSS cannot reach in, no inline <style> for its CSP
  sheet.replaceSync(css);
  shadow.adoptedStyleSheets = [sheet];
  const attach = () => {
    document.body.appendChild(host);
    render(<App api={new Api(base, instance)} store={new Store(base, instance)} host={host} language={script.dataset.language ?? null} />, shadow);
  };
  if (document.body) attach();
  else document.addEventListener("DOMContentLoaded", attach, { once: true });
}

mount();
