import type { CheckResult, CheckStatus, InvariantId } from '../check/index.js';
import { INVARIANTS } from '../check/index.js';

/** One invariant across every run of a verification. */
export interface InvariantSummary {
  invariant: InvariantId;
  title: string;
  rule: string;
  status: CheckStatus;
  /** Runs in which the invariant was exercised (had something to check). */
  exercisedRuns: number;
  violatedRuns: number;
  figures: Record<string, number>;
  /** Distinct notes, first few. */
  notes: string[];
}

/** Figures that add up across runs; every other figure is reported as its maximum. */
const SUMMED = new Set(['handshakes', 'requests', 'retries', 'calls', 'ended', 'repliesChecked', 'sockets', 'resumed']);
const MAX_NOTES = 5;

export class SummaryBuilder {
  private readonly byInvariant = new Map<InvariantId, InvariantSummary>();
  runs = 0;

  constructor() {
    for (const invariant of INVARIANTS) {
      this.byInvariant.set(invariant.id, {
        invariant: invariant.id,
        title: invariant.title,
        rule: invariant.rule,
        status: 'not-exercised',
        exercisedRuns: 0,
        violatedRuns: 0,
        figures: {},
        notes: [],
      });
    }
  }

  add(results: CheckResult[]): void {
    this.runs += 1;
    for (const r of results) {
      const summary = this.byInvariant.get(r.invariant)!;
      if (r.status === 'violated') summary.violatedRuns += 1;
      if (r.status !== 'not-exercised') summary.exercisedRuns += 1;
      for (const [name, value] of Object.entries(r.figures)) {
        const previous = summary.figures[name];
        summary.figures[name] =
          previous === undefined ? value : SUMMED.has(name) ? previous + value : Math.max(previous, value);
      }
      for (const note of r.notes) {
        if (summary.notes.length < MAX_NOTES && !summary.notes.includes(note)) summary.notes.push(note);
      }
    }
  }

  build(): InvariantSummary[] {
    return [...this.byInvariant.values()].map((s) => ({
      ...s,
      status: s.violatedRuns > 0 ? 'violated' : s.exercisedRuns > 0 ? 'holds' : 'not-exercised',
    }));
  }
}

/** Several lanes' summaries as one: runs add up, figures add up or take the maximum as they do across runs. */
export function mergeSummaries(lanes: InvariantSummary[][]): InvariantSummary[] {
  const [first, ...rest] = lanes;
  if (first === undefined) return [];
  return first.map((summary) => {
    const same = [summary, ...rest.map((lane) => lane.find((s) => s.invariant === summary.invariant)!)];
    const figures: Record<string, number> = {};
    for (const s of same) {
      for (const [name, value] of Object.entries(s.figures)) {
        const previous = figures[name];
        figures[name] = previous === undefined ? value : SUMMED.has(name) ? previous + value : Math.max(previous, value);
      }
    }
    const exercisedRuns = same.reduce((n, s) => n + s.exercisedRuns, 0);
    const violatedRuns = same.reduce((n, s) => n + s.violatedRuns, 0);
    const violated = same.some((s) => s.status === 'violated');
    return {
      ...summary,
      status: violated ? 'violated' : exercisedRuns > 0 ? 'holds' : 'not-exercised',
      exercisedRuns,
      violatedRuns,
      figures,
      notes: [...new Set(same.flatMap((s) => s.notes))].slice(0, MAX_NOTES),
    };
  });
}
