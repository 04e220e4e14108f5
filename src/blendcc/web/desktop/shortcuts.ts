// Keyboard shortcuts of the desktop (change them here): shown on the buttons they press.

export interface Shortcut {
  alt?: boolean;
  ctrl?: boolean;
  shift?: boolean;
  /** KeyboardEvent.code, layout-independent (Persian and Russian keyboards too) */
  code: string;
  /** as shown on the button */
  label: string;
}

export const SHORTCUTS = {
  accept: { alt: true, code: "KeyA", label: "Alt+A" },
  decline: { alt: true, code: "KeyD", label: "Alt+D" },
  wrapUp: { alt: true, code: "KeyW", label: "Alt+W" },
} satisfies Record<string, Shortcut>;

export function matches(e: KeyboardEvent, s: Shortcut): boolean {
  return e.code === s.code && e.altKey === !!s.alt && e.ctrlKey === !!s.ctrl && e.shiftKey === !!s.shift && !e.metaKey;
}

/** Ctrl+1..9: the n-th conversation tab (0-based), else null. */
export function tabNumber(e: KeyboardEvent): number | null {
  if (!e.ctrlKey || e.altKey || e.metaKey) return null;
  const m = /^Digit([1-9])$/.exec(e.code);
  return m ? Number(m[1]) - 1 : null;
}
