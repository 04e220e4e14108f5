// Vite's import.meta.glob (eager), used by the catalogue loader (i18n.ts).
interface ImportMeta {
  glob<M = unknown>(pattern: string | string[], options: { eager: true; import?: string }): Record<string, M>;
}
