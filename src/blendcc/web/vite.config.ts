// Vite build of the front-end screens. The widget is a library build in IIFE form: ONE script file
// (dist/widget.js, its CSS inlined as a string and adopted by the widget's shadow root), so a customer's
// site embeds it with a single <script> tag and nothing is fetched from a CDN at run time.
import { defineConfig } from "vite";

export default defineConfig({
  publicDir: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    // browsers with logical CSS properties (inset-inline, margin-inline...): kept as written, so a
    // right-to-left language mirrors the layout by dir="rtl" alone (no lowering to :lang() selectors)
    cssTarget: ["chrome89", "edge89", "firefox89", "safari15"],
    sourcemap: false,
    lib: {
      entry: "widget/main.tsx",
      name: "BlendccWidget",
      formats: ["iife"],
      fileName: () => "widget.js",
    },
  },
});
