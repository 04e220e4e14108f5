// The console's message catalogues: every web/i18n/console/<area>.<lang>.json merged per language.
import { Catalogues } from "../shared/i18n";

const FILES = import.meta.glob<Record<string, string>>("../i18n/console/*.json", { eager: true, import: "default" });
export const catalogues = new Catalogues(FILES, "blendcc.console.lang");
