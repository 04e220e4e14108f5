// Small shared hooks: a ticking clock (display only: data never comes from a timer) and server time.
import { useEffect, useState } from "preact/hooks";

/** Seconds since the epoch, re-rendered every second (for countdowns and time-in-state). */
export function useNow(skewS = 0): number {
  const [now, setNow] = useState(() => Date.now() / 1000 + skewS);
  useEffect(() => {
    setNow(Date.now() / 1000 + skewS);
    const id = setInterval(() => setNow(Date.now() / 1000 + skewS), 1000);
    return () => clearInterval(id);
  }, [skewS]);
  return now;
}
