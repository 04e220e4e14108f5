// How a new offer gets the agent's attention: a short ring (Web Audio oscillator, no sound file) and a
// desktop notification while the page is hidden (permission asked on a user gesture: the sign-in or the
// state buttons call `askNotificationPermission`).

let audio: AudioContext | null = null;

/** Create/resume the audio context: browsers allow it only after a user gesture. */
export function unlockAudio(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") void audio.resume();
  } catch {
    audio = null;
  }
}

/** Counts what the desktop did to get attention, on <html data-desk-rings data-desk-notifications>
 * (tests and support read them: a sound cannot be heard in a headless browser). */
function count(name: "deskRings" | "deskNotifications"): void {
  const ds = document.documentElement.dataset;
  ds[name] = String(Number(ds[name] ?? "0") + 1);
}

/** Two short tones (a ring); silent when the browser refuses audio. */
export function ring(): void {
  count("deskRings");
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    const start = ctx.currentTime;
    for (const [offset, freq] of [[0, 880], [0.25, 660]] as const) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.2);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.22);
    }
  } catch {
    /* no audio device or not allowed yet */
  }
}

export function askNotificationPermission(): void {
  if (typeof Notification !== "undefined" && Notification.permission === "default") {
    void Notification.requestPermission().catch(() => undefined);
  }
}

/** A desktop notification when the page is hidden; clicking it brings the desktop forward. */
export function notifyHidden(title: string, body: string, tag: string): void {
  if (!document.hidden || typeof Notification === "undefined" || Notification.permission !== "granted") return;
  try {
    const n = new Notification(title, { body, tag });
    count("deskNotifications");
    n.onclick = () => {
      window.focus();
      n.close();
    };
  } catch {
    /* notifications unavailable in this context */
  }
}
