// Edit the customer's name, tier and tags (PATCH /api/customers/{id}, POST .../tags).
import { useState } from "preact/hooks";
import type { Api, Customer, T } from "../types";
import { errorText } from "../../shared/http";

export function CustomerEdit({ customer, api, t, onSaved }: { customer: Customer; api: Api; t: T; onSaved(c: Customer): void }) {
  const [name, setName] = useState(customer.name);
  const [tier, setTier] = useState(customer.tier);
  const [tags, setTags] = useState(customer.tags.join(", "));
  const [error, setError] = useState("");
  const id = encodeURIComponent(customer.id);

  const save = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      let c = await api.patch<Customer>(`/api/customers/${id}`, { name, tier });
      const wanted = tags.split(",").map((s) => s.trim()).filter(Boolean);
      const add = wanted.filter((x) => !customer.tags.includes(x));
      const remove = customer.tags.filter((x) => !wanted.includes(x));
      if (add.length || remove.length) c = await api.post<Customer>(`/api/customers/${id}/tags`, { add, remove });
      onSaved(c);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <form class="customer-edit" onSubmit={save}>
      <label class="field"><span>{t("customer.name")}</span>
        <input value={name} maxLength={200} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} /></label>
      <label class="field"><span>{t("customer.tier")}</span>
        <input value={tier} maxLength={32} onInput={(e) => setTier((e.currentTarget as HTMLInputElement).value)} /></label>
      <label class="field"><span>{t("customer.tags_edit")}</span>
        <input value={tags} onInput={(e) => setTags((e.currentTarget as HTMLInputElement).value)} /></label>
      {error && <p class="error" role="alert">{error}</p>}
      <button type="submit" class="btn primary small">{t("save")}</button>
    </form>
  );
}
