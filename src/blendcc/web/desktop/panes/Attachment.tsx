// One file of a thread, read with the agent's token (GET /api/contacts/{id}/attachments/{file}): images
// shown inline through a blob: URL, other files downloaded on click.
import { useEffect, useState } from "preact/hooks";
import type { Api, Message, T } from "../types";
import { formatBytes } from "../i18n";
import { errorText } from "../../shared/http";

type File = Message["attachments"][number];

export function Attachment({ file, contactId, api, t, lang }: { file: File; contactId: string; api: Api; t: T; lang: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState("");
  const path = `/api/contacts/${encodeURIComponent(contactId)}/attachments/${encodeURIComponent(file.id)}`;
  const image = file.media_type.startsWith("image/");

  useEffect(() => {
    if (!image || !api.blob) return undefined;
    let made: string | null = null;
    api.blob(path).then((b) => {
      made = URL.createObjectURL(b);
      setUrl(made);
    }).catch((e) => setError(errorText(e)));
    return () => {
      if (made) URL.revokeObjectURL(made);
    };
  }, [path, image, api]);

  const download = async () => {
    if (!api.blob) return;
    try {
      const href = URL.createObjectURL(await api.blob(path));
      const a = document.createElement("a");
      a.href = href;
      a.download = file.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <li class="attachment">
      {image && url && <img src={url} alt={file.name} class="thumb" />}
      <button type="button" class="btn ghost small" onClick={() => void download()}
              aria-label={t("attachment.download", { name: file.name })}>
        {file.name}
      </button>
      <span class="muted"> {formatBytes(lang, file.size)}</span>
      {error && <span class="error"> {error}</span>}
    </li>
  );
}
