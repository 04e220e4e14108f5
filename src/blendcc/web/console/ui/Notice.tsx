// A view's loading state and error message (with a retry), announced to screen readers.
import type { T } from "../types";

export function Notice({ error, loading, t, retry }: { error: string; loading?: boolean; t: T; retry?(): void }) {
  if (error) {
    return (
      <p class="banner error" role="alert">
        {error} {retry && <button type="button" class="btn small" onClick={retry}>{t("retry")}</button>}
      </p>
    );
  }
  return loading ? <p class="muted" role="status">{t("loading")}</p> : null;
}
