// The call card's link to the browser phone: muting on the card also mutes the phone's microphone when
// this desktop has one. The phone registers its mute function here (or listens for the window event).
type Mute = (on: boolean) => void;
let registered: Mute | null = null;

/** The browser phone calls this once it exists; returns the unregister function. */
export function registerPhoneMute(fn: Mute): () => void {
  registered = fn;
  return () => {
    if (registered === fn) registered = null;
  };
}

/** Mute or unmute the local microphone (a no-op without a browser phone). */
export function muteLocal(on: boolean): void {
  registered?.(on);
  window.dispatchEvent(new CustomEvent("blendcc:phone-mute", { detail: { on } }));
}
