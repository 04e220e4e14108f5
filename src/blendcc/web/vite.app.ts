// The Vite build of one browser application (index.html + hashed module scripts and CSS) under dist/<name>,
// served by the Python server at /<name>/ (api/routes_pages.py). The widget builds first and empties dist/;
// each application empties only its own folder.
import { defineConfig, type UserConfig } from "vite";

export function application(name: string): UserConfig {
  return defineConfig({
    root: name,
    base: `/${name}/`,
    publicDir: false,
    oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
    build: {
      outDir: `../dist/${name}`,
      emptyOutDir: true,
      target: "es2020",
      // logical CSS properties kept as written, so dir="rtl" alone mirrors the layout (see vite.config.ts)
      cssTarget: ["chrome89", "edge89", "firefox89", "safari15"],
      sourcemap: false,
      assetsDir: "assets",
      modulePreload: { polyfill: false },
    },
  });
}
