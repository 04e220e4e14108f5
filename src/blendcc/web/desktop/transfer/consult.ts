// Which voice contacts are in a consultation (started from the transfer picker, shown on the call card):
// a tiny in-page store, kept in sessionStorage so a reload of the desktop still offers complete / cancel.

export interface Consulting {
  contact_id: string;
  /** the consulted agent's id and display name */
  agent_id: string;
  name: string;
  /** joined into a three-way call */
  conference: boolean;
}

const KEY = "blendcc.desktop.consulting";
type Listener = (all: Record<string, Consulting>) => void;
const listeners = new Set<Listener>();

function read(): Record<string, Consulting> {
  try {
    return JSON.parse(window.sessionStorage.getItem(KEY) ?? "{}") as Record<string, Consulting>;
  } catch {
    return {};
  }
}

function write(all: Record<string, Consulting>): void {
  try {
    window.sessionStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    /* private mode: in memory only (listeners still hear it) */
  }
  listeners.forEach((fn) => fn(all));
}

export function consultingOf(contactId: string): Consulting | null {
  return read()[contactId] ?? null;
}

export function setConsulting(c: Consulting): void {
  write({ ...read(), [c.contact_id]: c });
}

export function clearConsulting(contactId: string): void {
  const all = read();
  delete all[contactId];
  write(all);
}

/** Hear every change; returns the unsubscribe function. */
export function onConsulting(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
