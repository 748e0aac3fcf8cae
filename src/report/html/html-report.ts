import type { Violation } from '../../check/index.js';
import { describeScenario } from '../../scenario/scenario.js';
import { writeOutput } from '../../verify/saved-result.js';
import type { VerifyResult } from '../../verify/verify.js';
import { REPORT_STYLE } from './report-style.js';
import { timelineApp } from './timeline-app.js';
import * as draw from './timeline-draw.js';
import { escapeHtml as esc } from './timeline-draw.js';
import { timelineModel } from './timeline-model.js';
import type { TimelineModel } from './timeline-types.js';

/**
 * The HTML report: one self-contained file (styles, script and data inside, nothing fetched) drawn from the same
 * VerifyResult as the console report. The verdict, the violations in words and the replay command are plain HTML;
 * the timeline is drawn by the embedded script from the embedded model.
 */

const STATUS_WORD = { holds: 'holds', violated: 'VIOLATED', 'not-exercised': 'not exercised' } as const;

function headline(result: VerifyResult): { text: string; tone: 'good' | 'bad' } {
  if (result.verdict === 'safe') return { text: `SAFE to share: ${result.client} held every invariant over ${result.runs} runs.`, tone: 'good' };
  if (result.verdict === 'inconclusive') {
    return { text: `INCONCLUSIVE: ${result.client} ran out of time after ${result.runs} runs without a violation.`, tone: 'bad' };
  }
  const violated = result.invariants.filter((i) => i.status === 'violated').map((i) => i.invariant);
  return { text: `NOT SAFE to share: ${result.client} violated ${violated.join(', ')}.`, tone: 'bad' };
}

function chips(violation: Violation): string {
  const chip = (label: string, value: string | number | undefined) =>
    value === undefined ? '' : `<span class="chip">${esc(label)} ${esc(String(value))}</span>`;
  return (
    chip('caller', violation.callerId) +
    chip('op', violation.opId) +
    chip('request', violation.requestId) +
    chip('socket', violation.socketId) +
    chip('other party', violation.culpritRequestId)
  );
}

function violationsSection(result: VerifyResult, model: TimelineModel | null): string {
  const failure = result.failure;
  if (failure === null || model === null) return '';
  const items = failure.checks
    .flatMap((check) => check.violations)
    .map(
      (v, i) =>
        `<li data-violation="${i}" title="click to zoom to it"><span class="inv">[${esc(v.invariant)}]</span>` +
        `<span class="message">${esc(v.message)}</span><span class="chips">${chips(v)}</span></li>`,
    )
    .join('');
  return (
    `<section class="card" id="violations"><h2>What went wrong</h2><ol>${items}</ol>` +
    `<div class="replay"><h2>Replay</h2><code>${esc(failure.replay)}</code><code>fast-check: ${esc(failure.fastCheck)}</code>` +
    `${howFound(result)}</div></section>`
  );
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** How the counterexample came to be: the first failure as found, the shrinking, the replays that checked it. */
function howFound(result: VerifyResult): string {
  const lines: string[] = [];
  const found = result.firstFailure;
  if (found && typeof found.run === 'number') {
    const broke = Array.isArray(found.violated) ? ` (${found.violated.join(', ')})` : '';
    lines.push(`First found in run ${found.run} after ${seconds(found.ms)}${broke}; that run replays with <code class="inline">${esc(found.replay)}</code>.`);
  }
  const shrink = result.failure?.shrink;
  if (shrink) {
    const why = { exhausted: 'no smaller case fails', budget: `its ${seconds(shrink.budgetMs)} budget ran out`, interrupted: 'interrupted' }[shrink.ended] ?? shrink.ended;
    lines.push(`Shrunk in ${shrink.steps} steps (${shrink.tried} candidates, ${shrink.runs} runs, ${seconds(shrink.ms)}); stopped because ${why}.`);
  }
  const replays = result.failure?.replayCheck;
  if (replays) {
    lines.push(
      replays.reproduced === replays.replays
        ? `Replayed ${replays.reproduced}/${replays.replays}: it reproduces every time.`
        : `<strong class="flaky">Replayed ${replays.reproduced}/${replays.replays}: FLAKY</strong>; the timing it needs is not wholly fixed by the schedule, so a replay may report it safe.`,
    );
  }
  return lines.length === 0 ? '' : `<p class="how">${lines.join(' ')}</p>`;
}

const LEGEND = [
  ['<rect x="1" y="3" width="26" height="10" rx="2" fill="hsl(0 62% 74%)" stroke="hsl(0 55% 34%)"/>', 'bar colour = caller; a request on its socket lane has its caller’s colour'],
  ['<rect x="1" y="3" width="26" height="10" rx="2" fill="#ddd" stroke="#c8102e" stroke-width="3"/>', 'named by a violation'],
  ['<rect x="1" y="3" width="26" height="10" rx="2" fill="#ddd" stroke="#b35900" stroke-width="2"/>', 'HTTP error status'],
  ['<rect x="1" y="3" width="26" height="10" rx="2" fill="#ddd" stroke="#c8102e" stroke-width="2" stroke-dasharray="5 2"/>', 'client error, reset or cut short'],
  ['<rect x="1" y="3" width="26" height="10" rx="2" fill="#ddd" fill-opacity=".45" stroke="#777" stroke-dasharray="3 2"/>', 'aborted, hung or unfinished'],
  ['<rect x="1" y="3" width="26" height="3" fill="#7b3fb5"/><path d="M14 5l4 4-4 4-4-4z" fill="#7b3fb5"/>', 'injected server fault'],
  ['<circle cx="14" cy="8" r="3" fill="#2f7d4f"/>', 'TLS handshake (hollow: resumed)'],
  ['<line x1="14" x2="14" y1="1" y2="15" stroke="#c26a00" stroke-width="1.5"/><path d="M14 1l-6 4 6 4z" fill="#c26a00"/>', 'server FIN, unannounced'],
  ['<line x1="14" x2="14" y1="1" y2="15" stroke="#7a1020" stroke-width="2.5"/>', 'server close'],
  ['<line x1="14" x2="14" y1="1" y2="15" stroke="#555" stroke-width="1.5"/>', 'client close'],
  ['<path d="M10 4l8 8m0-8l-8 8" stroke="#c8102e" stroke-width="2"/>', 'reset (RST); black: caller abort'],
  ['<circle cx="14" cy="8" r="4" fill="#fff" stroke="#2b6cb0" stroke-width="1.5"/><path d="M14 5v3h2" fill="none" stroke="#2b6cb0" stroke-width="1.5"/>', 'a step timed by the wall clock (a replay may differ there)'],
] as const;

function timelineSection(model: TimelineModel | null): string {
  if (model === null) {
    return '<section class="card"><p>No counterexample to draw: only a failing run keeps its history.</p></section>';
  }
  const legend = LEGEND.map(([svg, text]) => `<span><svg width="28" height="16">${svg}</svg>${esc(text)}</span>`).join('');
  return `<section class="card" id="timeline">
<div class="toolbar"><strong>Timeline</strong>
<button id="zoom-out" title="zoom out (-)">−</button><button id="zoom-in" title="zoom in (+)">+</button><button id="zoom-fit" title="whole run (0)">fit</button>
<span id="timeline-scale" class="hint"></span>
<span class="hint">ctrl+wheel zooms at the pointer · drag or scroll to pan · hover for details · click to follow a request</span></div>
<div class="timeline"><svg id="timeline-labels"></svg><div id="timeline-scroll"><div id="timeline-track"><svg id="timeline-svg"></svg></div></div></div>
<noscript><p>The timeline needs JavaScript; the verdicts and violations above do not.</p></noscript>
<div class="legend">${legend}</div>
<div id="timeline-details"></div><div id="timeline-tip"></div></section>`;
}

function verdictsSection(result: VerifyResult): string {
  const counterexample = result.failure?.checks;
  const rows = result.invariants
    .map((i) => {
      const inCounterexample = counterexample?.find((c) => c.invariant === i.invariant);
      const figures = Object.entries(i.figures).map(([k, v]) => `${k}=${v}`).join(' ');
      const cx = inCounterexample ? STATUS_WORD[inCounterexample.status] : '';
      return (
        `<tr><td class="mono">${esc(i.invariant)}</td><td>${esc(i.rule)}</td><td class="${STATUS_WORD[i.status]}">${STATUS_WORD[i.status]}</td>` +
        `<td>${i.exercisedRuns}</td><td class="${cx}">${cx}</td><td class="mono">${esc(figures)}</td></tr>`
      );
    })
    .join('');
  const notes = [...new Set(result.invariants.flatMap((i) => i.notes.map((n) => `[${i.invariant}] ${n}`)))];
  return (
    `<section class="card"><h2>Verdicts over ${result.runs} runs</h2><table class="verdicts"><tr><th>invariant</th><th>rule</th>` +
    `<th>status</th><th>runs exercised</th><th>counterexample</th><th>figures</th></tr>${rows}</table>` +
    (notes.length > 0 ? `<h2>Observed and legitimate</h2><ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '') +
    '</section>'
  );
}

function scenarioSection(result: VerifyResult): string {
  const failure = result.failure;
  if (failure === null) return '';
  const history = failure.history;
  const callers = Math.max(history.scenario.callers.length, new Set(history.calls.map((c) => c.callerId)).size);
  return (
    `<section class="card"><h2>The counterexample (after ${plural(failure.numShrinks, 'shrink')}): ${plural(callers, 'caller')}, ` +
    `${plural(history.calls.length, 'call')}, ${plural(history.server.requests.length, 'request')} on ${plural(history.server.sockets.length, 'socket')}</h2>` +
    `<ul class="scenario">${describeScenario(failure.scenario).map((l) => `<li>${esc(l)}</li>`).join('')}</ul></section>`
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** JSON inside a <script> element: no `<` survives, so no `</script>` can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The browser script: the drawing functions and the app, from their own source, then a call with the data. */
function pageScript(): string {
  const functions = Object.entries(draw).filter(([, f]) => typeof f === 'function') as Array<[string, () => unknown]>;
  return (
    `${functions.map(([, f]) => f.toString()).join('\n')}\n${timelineApp.toString()}\n` +
    `timelineApp(JSON.parse(document.getElementById('timeline-data').textContent), { ${functions.map(([name]) => name).join(', ')} });`
  );
}

export function renderHtmlReport(result: VerifyResult): string {
  const model = result.failure === null ? null : timelineModel(result.failure.history, result.failure.checks);
  const head = headline(result);
  const settings = (result as { settings?: { faults?: string[] | null } }).settings;
  const faults = settings?.faults ? `, faults: ${settings.faults.join(', ')}` : '';
  const meta =
    `client ${result.client} · pool ${result.connections} · up to ${result.callers} callers × ${result.opsPerCaller} ops` +
    `${faults} · seed ${result.seed} · ${result.runs} runs in ${(result.elapsedMs / 1000).toFixed(1)} s`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>crosstalk: ${esc(head.text)}</title><style>${REPORT_STYLE}</style></head>
<body>
<header><h1 class="${head.tone}">${esc(head.text)}</h1><p class="meta">${esc(meta)}</p></header>
${violationsSection(result, model)}
${timelineSection(model)}
${scenarioSection(result)}
${verdictsSection(result)}
<footer>Written by crosstalk from a result of schema ${result.schema}. Times are milliseconds since the run started, on one
process's monotonic clock (performance.now), shared by the server and the callers.</footer>
${model === null ? '' : `<script type="application/json" id="timeline-data">${scriptJson(model)}</script>\n<script>\n${pageScript()}\n</script>`}
</body></html>
`;
}

export async function writeHtmlReport(file: string, result: VerifyResult): Promise<void> {
  await writeOutput(file, renderHtmlReport(result));
}
