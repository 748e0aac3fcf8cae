/**
 * The timeline as the page draws it: lanes, bars, marks and links, every time in milliseconds since the run
 * started. Built from a RunHistory and its checks (timeline-model.ts); the page's script only does geometry.
 */

export type LaneKind = 'socket' | 'caller';

export interface TimelineLane {
  /** `socket:3` or `caller:c2`. */
  id: string;
  kind: LaneKind;
  label: string;
  /** A second line: the socket's port and request count, or the caller's tenant and user. */
  detail: string;
  /** Rows inside the lane, for bars that overlap (pipelining, or a bug that writes on a busy socket). */
  rows: number;
  highlight: boolean;
  /** A socket's life: accepted, handshake done (null: never), ended (null: still open when the record was read). */
  life?: { from: number; handshake: number | null; to: number | null };
}

/** How a bar ended, for its colour and outline. */
export type BarTone =
  | 'ok'
  | 'http-error'
  | 'client-error'
  | 'aborted'
  | 'hung'
  | 'reset'
  | 'closed-early'
  | 'rejected';

export interface TimelineBar {
  /** `req:<socket>:<seq>` or `call:<opId>`. */
  id: string;
  kind: 'request' | 'call';
  lane: string;
  row: number;
  from: number;
  to: number;
  /** It had not ended when the record was read (a hung call, a response never finished): drawn open-ended. */
  open: boolean;
  /** Short text drawn inside the bar when it fits. */
  label: string;
  tone: BarTone;
  /** Index of the caller, for the bar's hue: a request is drawn in its caller's colour on its socket's lane. */
  color: number;
  requestId: string;
  callerId: string | null;
  socketId: number | null;
  faults: string[];
  /** Shown on hover and in the details panel: name, value. */
  details: Array<[string, string]>;
  highlight: boolean;
}

export type MarkKind =
  | 'handshake'
  | 'resumed'
  | 'client-close'
  | 'server-close'
  | 'fin'
  | 'reset'
  | 'error'
  | 'fault'
  | 'abort'
  | 'hang'
  /** A step of the schedule that waited on the wall clock: where a replay could differ. */
  | 'timed';

/** A point event on a lane. */
export interface TimelineMark {
  lane: string;
  at: number;
  kind: MarkKind;
  label: string;
  highlight: boolean;
}

/** A run-wide moment: close() called, the deadline … */
export interface TimelineRule {
  at: number;
  label: string;
}

/** A call and a request it is tied to: its own (`own`), or the other party a violation names (`culprit`). */
export interface TimelineLink {
  from: string;
  to: string;
  kind: 'own' | 'culprit';
  highlight: boolean;
}

export interface TimelineViolation {
  invariant: string;
  message: string;
  /** Bars and lanes it names, highlighted in the picture. */
  bars: string[];
  lanes: string[];
  /** The time span worth zooming to. */
  from: number;
  to: number;
}

export interface TimelineModel {
  /** Milliseconds from the run's start to the last recorded moment, plus a margin. */
  duration: number;
  lanes: TimelineLane[];
  bars: TimelineBar[];
  marks: TimelineMark[];
  rules: TimelineRule[];
  links: TimelineLink[];
  violations: TimelineViolation[];
}
