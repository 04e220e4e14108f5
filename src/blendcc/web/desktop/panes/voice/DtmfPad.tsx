// The DTMF keypad of the call card: twelve keys (and the keyboard's digits, * and # while it has focus),
// each sent at once to the call; the digits sent so far are shown and announced.
import type { T } from "../../types";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

export function DtmfPad(props: { t: T; sent: string; disabled: boolean; onDigit(d: string): void }) {
  const { t } = props;
  function keydown(e: KeyboardEvent) {
    if (KEYS.includes(e.key) && !(e.target instanceof HTMLButtonElement && e.key === " ")) {
      e.preventDefault();
      if (!props.disabled) props.onDigit(e.key);
    }
  }
  return (
    <div class="pn-dtmf" role="group" aria-label={t("voice.keypad")} onKeyDown={keydown}>
      <output class="pn-dtmf-sent" dir="ltr" aria-live="polite" aria-label={t("voice.digits_sent")}>{props.sent || "\u00a0"}</output>
      <div class="pn-dtmf-keys" dir="ltr">
        {KEYS.map((k) => (
          <button type="button" key={k} class="pn-key" disabled={props.disabled} aria-label={t("voice.key", { key: k })}
            onClick={() => props.onDigit(k)}>{k}</button>
        ))}
      </div>
    </div>
  );
}
