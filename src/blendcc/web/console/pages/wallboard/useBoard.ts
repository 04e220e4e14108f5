// The live board: GET /api/stats/live, then every "stats" frame of /ws/supervisor (pushed within a second of
// events); after a reconnect ("snapshot" frame) it loads again. `elapsed` seconds since the frame, ticking.
import { useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import type { PageProps } from "../../types";
import type { Board } from "./model";

export function useBoard({ api, socket }: Pick<PageProps, "api" | "socket">) {
  const [board, setBoard] = useState<Board | null>(null);
  const [error, setError] = useState("");
  const [received, setReceived] = useState(0);
  const [now, setNow] = useState(Date.now());
  const latest = useRef(0);
  useEffect(() => {
    let alive = true;
    const accept = (b: Board) => {
      if (!alive || !b || !Array.isArray(b.queues) || b.at < latest.current) return;  // an older frame lost a race
      latest.current = b.at;
      setBoard(b);
      setError("");
      setReceived(Date.now());
      setNow(Date.now());
    };
    const load = () => api.get<Board>("/api/stats/live").then(accept, (e: unknown) => alive && setError(errorText(e)));
    load();
    const offs = [socket.on("stats", (f) => accept(f as unknown as Board)), socket.on("snapshot", () => void load())];
    const tick = window.setInterval(() => setNow(Date.now()), 1000);
    return () => {
      alive = false;
      offs.forEach((off) => off());
      window.clearInterval(tick);
    };
  }, [api, socket]);
  return { board, error, elapsed: board ? Math.max(0, (now - received) / 1000) : 0 };
}
