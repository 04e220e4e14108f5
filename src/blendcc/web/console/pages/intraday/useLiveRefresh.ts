// Keeps a view's figures fresh without hammering the server: a reload every `periodMs`, and one soon after
// a frame of the given supervisor streams (at most one per `minGapMs`); a reconnect's snapshot reloads too.
import { useEffect, useRef } from "preact/hooks";
import type { LiveSocket } from "../../../shared/socket";

export function useLiveRefresh(socket: LiveSocket, streams: string[], reload: () => void, periodMs: number,
                               minGapMs: number): void {
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => {
    let last = Date.now();
    let pending: ReturnType<typeof setTimeout> | undefined;
    const fire = () => {
      pending = undefined;
      last = Date.now();
      latest.current();
    };
    const soon = () => {
      if (pending !== undefined) return;
      pending = setTimeout(fire, Math.max(0, last + minGapMs - Date.now()));
    };
    const timer = setInterval(() => { if (pending === undefined) fire(); }, periodMs);
    const offs = [...streams, "snapshot"].map((s) => socket.on(s, soon));
    return () => {
      clearInterval(timer);
      clearTimeout(pending);
      offs.forEach((off) => off());
    };
  }, [socket, periodMs, minGapMs, streams.join(",")]);
}
