// Loads data for a view: the value, the error message, a loading flag and reload(); a stale answer
// (the inputs changed meanwhile) is dropped.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../../shared/http";

export interface Loaded<V> {
  data: V | null;
  error: string;
  loading: boolean;
  reload(): void;
}

export function useLoad<V>(load: () => Promise<V>, deps: unknown[]): Loaded<V> {
  const [data, setData] = useState<V | null>(null);
  const [error, setError] = useState("");
  const [loading, setLoading] = useState(true);
  const serial = useRef(0);
  const run = useCallback(() => {
    const mine = ++serial.current;
    setLoading(true);
    load().then(
      (v) => {
        if (mine !== serial.current) return;
        setData(v);
        setError("");
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== serial.current) return;
        setError(errorText(e));
        setLoading(false);
      },
    );
  }, deps);
  useEffect(run, [run]);
  return { data, error, loading, reload: run };
}
