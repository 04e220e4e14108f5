// Saves a file the server makes (CSV, XLSX...) with the bearer token, under the given name.
import type { Api } from "../../shared/http";

export async function download(api: Api, path: string, filename: string): Promise<void> {
  if (!api.blob) throw new Error("this client cannot download files");
  const blob = await api.blob(path);
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
