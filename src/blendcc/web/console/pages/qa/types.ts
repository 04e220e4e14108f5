// The quality API's shapes (docs/quality.md) the evaluation pages read.
export type Answer = number | string;

export interface Question { id: string; text: string; kind: "yes_no" | "scale"; scale_max: number | null; weight: number;
                            na_allowed: boolean; auto_fail: boolean }
export interface Section { id: string; title: string; questions: Question[] }
export interface Scorecard { id: string; name: string; sections: Section[]; queues: string[]; channels: string[] }
export interface ScorecardOut { version: number; document: Scorecard }

export interface Evaluation {
  id: string; revision: number; contact_id: string; agent_id: string; team_id: string | null; queue_id: string | null;
  channel: string | null; contact_at: number; scorecard_id: string; scorecard_version: number; evaluator: string;
  answers: Record<string, Answer>; comments: Record<string, string>; comment: string; score: number; auto_failed: boolean;
  created_at: number; calibration_id: string | null; status: "open" | "acknowledged" | "disputed";
  response: string | null; responded_by: string | null; responded_at: number | null; reply: string | null;
}

export interface Preview { score: number | null; auto_failed: boolean; failed_by: string[]; answered: number;
                           not_applicable: number; missing: string[]; complete: boolean }

export interface Signal { kind: string; detail: string; value: number | string | null }
export interface SamplePick { contact_id: string; agent_id: string; week: string; reasons: string[]; signals: Signal[] }

export interface Spread { n: number; min: number | null; max: number | null; stdev: number | null }
export interface CalibrationReport {
  session: { id: string; contact_id: string; scorecard_id: string; scorecard_version: number; created_by: string; created_at: number };
  evaluations: number;
  scores: { evaluator: string; evaluation_id: string; score: number; auto_failed: boolean }[];
  overall: Spread;
  questions: (Spread & { question_id: string })[];
}

export interface CalibrationSummary {
  session: CalibrationReport["session"]; evaluations: number; evaluators: string[]; overall: Spread;
}

/** Does the scorecard apply to a contact of this queue and channel (the server checks again)? */
export function applies(card: Scorecard, queue: string | null, channel: string | null): boolean {
  return (!card.queues.length || (queue !== null && card.queues.includes(queue)))
    && (!card.channels.length || (channel !== null && card.channels.includes(channel)));
}
