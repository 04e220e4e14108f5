// A draft per contact in localStorage: it survives a reload, a reconnect and switching tabs.

const PREFIX = "blendcc.desk.draft.";

export interface Draft {
  text: string;
  note: boolean;
}

export function loadDraft(contactId: string): Draft {
  try {
    const raw = localStorage.getItem(PREFIX + contactId);
    if (raw) {
      const d = JSON.parse(raw) as Partial<Draft>;
      return { text: typeof d.text === "string" ? d.text : "", note: d.note === true };
    }
  } catch {
    /* unreadable: start empty */
  }
  return { text: "", note: false };
}

export function saveDraft(contactId: string, draft: Draft): void {
  try {
    if (!draft.text && !draft.note) localStorage.removeItem(PREFIX + contactId);
    else localStorage.setItem(PREFIX + contactId, JSON.stringify(draft));
  } catch {
    /* storage full or denied */
  }
}

export function clearDraft(contactId: string): void {
  try {
    localStorage.removeItem(PREFIX + contactId);
  } catch {
    /* nothing stored */
  }
}
