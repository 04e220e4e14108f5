// A forecast as a background job (ADR 0034): submit, poll its state and progress, cancel; the job is cancelled when
// the page is left while it runs, so an abandoned forecast does not hold the server's worker.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Api } from "../../../shared/http";

export const JOBS = "/api/wfm/forecast/jobs";
const POLL_MS = 500;

export type JobState = "queued" | "running" | "done" | "failed" | "cancelled";
export interface Job<R> {
  id: string;
  state: JobState;
  cancel_requested: boolean;
  progress: { done: number; total: number };
  result: R | null;
  error: { error: string; detail: string } | null;
}

/** What the page shows while a job runs: its state and the fits done of those known so far. */
export interface Running { state: JobState; done: number; total: number; cancelling: boolean }

export class JobCancelled extends Error {}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function useForecastJob(api: Api) {
  const [running, setRunning] = useState<Running | null>(null);
  const current = useRef<string | null>(null);

  useEffect(() => () => {
    const id = current.current;
    current.current = null;
    if (id) void api.del(`${JOBS}/${id}`).catch(() => undefined);
  }, [api]);

  /** Submit (POST answering 202 with the job), then follow it to its end: the result, or a rejection. */
  const run = async <R>(submit: () => Promise<Job<R>>): Promise<R> => {
    let job = await submit();
    current.current = job.id;
    try {
      for (;;) {
        setRunning({ state: job.state, done: job.progress.done, total: job.progress.total, cancelling: job.cancel_requested });
        if (job.state === "done" && job.result) return job.result;
        if (job.state === "failed") throw new Error(job.error?.detail ?? job.state);
        if (job.state === "cancelled") throw new JobCancelled();
        await pause(POLL_MS);
        if (current.current !== job.id) throw new JobCancelled(); // the page was left
        job = await api.get<Job<R>>(`${JOBS}/${job.id}`);
      }
    } finally {
      if (current.current === job.id) current.current = null;
      setRunning(null);
    }
  };

  const cancel = async () => {
    const id = current.current;
    if (!id) return;
    setRunning((r) => (r ? { ...r, cancelling: true } : r));
    await api.del(`${JOBS}/${id}`).catch(() => undefined); // an ended job answers 409: the poll sees its end
  };

  return { running, run, cancel };
}
