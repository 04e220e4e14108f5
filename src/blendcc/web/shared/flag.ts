// A remembered on/off choice of this browser (localStorage), e.g. "use this browser as my phone".

/** `get()` is false when nothing was stored or storage is unavailable; `set()` is silently skipped then. */
export function storedFlag(key: string): { get(): boolean; set(on: boolean): void } {
  return {
    get() {
      try {
        return localStorage.getItem(key) === "on";
      } catch {
        return false;
      }
    },
    set(on) {
      try {
        localStorage.setItem(key, on ? "on" : "off");
      } catch {
        /* private mode: asked again next time */
      }
    },
  };
}
