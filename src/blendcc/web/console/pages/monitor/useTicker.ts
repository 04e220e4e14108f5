// Seconds since the data was loaded, ticking once a second: live durations advance between server updates.
import { useEffect, useState } from "preact/hooks";

export function useTicker(since: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return Math.max(0, (now - since) / 1000);
}
