// The centre's emergency status on every desktop: emergency modes in force and known-issue banners, from
// GET /api/crisis/status at start and each `CrisisStatus` frame the server broadcasts on /ws/agent.
import { useEffect, useState } from "preact/hooks";
import type { LiveSocket } from "../shared/socket";
import type { Api, T } from "./types";

interface Mode { scope: string; mode: string; message: string }
interface Banner { scope: string; text: string }
interface Status { emergency: Mode[]; banners: Banner[] }

export function CrisisBanner({ api, bus, t }: { api: Api; bus: LiveSocket; t: T }) {
  const [status, setStatus] = useState<Status>({ emergency: [], banners: [] });
  useEffect(() => {
    api.get<Status>("/api/crisis/status").then(setStatus, () => undefined); // the socket's frames follow
    return bus.on("CrisisStatus", (f) => setStatus({ emergency: (f.emergency ?? []) as Mode[], banners: (f.banners ?? []) as Banner[] }));
  }, [api, bus]);
  if (!status.emergency.length && !status.banners.length) return null;
  const where = (scope: string) => (scope === "*" ? t("crisis.centre")
    : scope.startsWith("site:") ? t("crisis.site", { site: scope.slice(5) }) : t("crisis.queue", { queue: scope }));
  return (
    <div class="banner crisis-banner" role="status" aria-live="polite">
      {status.emergency.map((m) => (
        <p key={`e-${m.scope}`}><strong>{t("crisis.emergency", { where: where(m.scope), mode: t(`crisis.mode.${m.mode}`) })}</strong>
          {m.message && <> {m.message}</>}</p>
      ))}
      {status.banners.map((b, i) => <p key={`b-${i}`}>{t("crisis.known_issue", { where: where(b.scope), text: b.text })}</p>)}
    </div>
  );
}
