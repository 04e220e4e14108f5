// The console's views live in the URL's hash (#/wallboard?queue=q1): bookmarkable, back button, no server route.
import { useEffect, useState } from "preact/hooks";
import type { Route } from "./types";

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, "");
  const at = raw.indexOf("?");
  const path = decodeURIComponent(at < 0 ? raw : raw.slice(0, at)).replace(/\/+$/, "");
  return { path, query: new URLSearchParams(at < 0 ? "" : raw.slice(at + 1)) };
}

export function hrefOf(path: string, query?: Record<string, string>): string {
  const q = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== "")).toString() : "";
  return `#/${path}${q ? `?${q}` : ""}`;
}

export function navigate(path: string, query?: Record<string, string>): void {
  const next = hrefOf(path, query);
  if (location.hash !== next) location.hash = next;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}
