// The number of alerts nobody has acknowledged yet, beside "Live monitoring" in the navigation (every view).
import { formatNumber } from "../../ui/format";
import type { PageProps } from "../../types";
import { useAlerts } from "./Alerts";

export function AlertBadge({ api, socket, t, lang }: Pick<PageProps, "api" | "socket" | "t" | "lang">) {
  const { alerts } = useAlerts({ api, socket });
  const n = alerts.filter((a) => !a.acknowledged).length;
  if (n === 0) return null;
  return (
    <span class="nav-badge" data-testid="alert-badge">
      <span aria-hidden="true">{formatNumber(lang, n)}</span>
      <span class="sr-only">{t("mon.badge", { n })}</span>
    </span>
  );
}
