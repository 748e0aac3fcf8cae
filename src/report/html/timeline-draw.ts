import type { TimelineBar, TimelineLane, TimelineLink, TimelineMark, TimelineModel, TimelineRule } from './timeline-types.js';

/**
 * The picture's geometry, as SVG markup strings. These functions run in the report's page: html-report.ts embeds
 * their source (Function.prototype.toString), so each one uses only its arguments, the others in this file and the
 * language itself — no imports, no module constants.
 */

export interface TimelineGeometry {
  axis: number;
  row: number;
  lanePad: number;
  header: number;
  labelWidth: number;
  charWidth: number;
}

export interface LaneBox {
  lane: TimelineLane;
  y: number;
  h: number;
}

export interface LaneLayout {
  boxes: LaneBox[];
  headers: Array<{ label: string; y: number }>;
  height: number;
}

/** The part of the timeline on screen: px per ms, the scroll offset in px, the width in px. */
export interface TimelineView {
  scale: number;
  left: number;
  width: number;
  selected: Set<string>;
  linked: Set<string>;
  hover: string | null;
}

export function timelineGeometry(): TimelineGeometry {
  return { axis: 26, row: 18, lanePad: 4, header: 22, labelWidth: 170, charWidth: 6.1 };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function layoutLanes(lanes: TimelineLane[], g: TimelineGeometry): LaneLayout {
  const boxes: LaneBox[] = [];
  const headers: Array<{ label: string; y: number }> = [];
  let y = g.axis;
  let kind = '';
  for (const lane of lanes) {
    if (lane.kind !== kind) {
      kind = lane.kind;
      headers.push({ label: kind === 'socket' ? 'sockets (server)' : 'callers (client)', y });
      y += g.header;
    }
    const h = lane.rows * g.row + 2 * g.lanePad;
    boxes.push({ lane, y, h });
    y += h;
  }
  return { boxes, headers, height: y + 6 };
}

/** A tick every 1, 2 or 5 × 10^k ms, at least `minPx` apart. */
export function tickStep(scale: number, minPx: number): number {
  const raw = minPx / scale;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

export function formatMs(ms: number, step: number): string {
  const decimals = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step)));
  return `${ms.toFixed(decimals)} ms`;
}

export function drawLabels(layout: LaneLayout, g: TimelineGeometry): string {
  const parts: string[] = [`<text class="axis-title" x="8" y="${g.axis - 9}">ms since the run started</text>`];
  for (const header of layout.headers) {
    parts.push(`<text class="group" x="8" y="${header.y + g.header - 7}">${escapeHtml(header.label)}</text>`);
  }
  for (const box of layout.boxes) {
    const cls = `lane-label${box.lane.highlight ? ' hl' : ''}`;
    parts.push(
      `<g class="${cls}" data-lane="${escapeHtml(box.lane.id)}"><rect x="0" y="${box.y}" width="${g.labelWidth}" height="${box.h}"></rect>` +
        `<text class="name" x="8" y="${box.y + Math.min(box.h / 2, g.row) + 1}">${escapeHtml(box.lane.label)}</text>` +
        `<text class="detail" x="${g.labelWidth - 6}" y="${box.y + Math.min(box.h / 2, g.row) + 1}">${escapeHtml(box.lane.detail)}</text></g>`,
    );
  }
  return parts.join('');
}

export function drawAxis(view: TimelineView, duration: number, height: number, g: TimelineGeometry): string {
  const step = tickStep(view.scale, 90);
  const first = Math.max(0, Math.floor(view.left / view.scale / step) * step);
  const parts: string[] = [`<rect class="axis-bg" x="0" y="0" width="${view.width}" height="${g.axis}"></rect>`];
  for (let t = first; t <= duration && t * view.scale - view.left <= view.width + 1; t += step) {
    const x = (t * view.scale - view.left).toFixed(1);
    parts.push(`<line class="tick" x1="${x}" x2="${x}" y1="${g.axis - 6}" y2="${height}"></line>`);
    if (Number(x) < view.width - 50) parts.push(`<text class="tick-label" x="${x}" y="${g.axis - 9}">${formatMs(t, step)}</text>`);
  }
  return parts.join('');
}

export function drawLanes(layout: LaneLayout, view: TimelineView, duration: number): string {
  const parts: string[] = [];
  const right = Math.min(view.width, duration * view.scale - view.left);
  layout.boxes.forEach((box, i) => {
    const cls = `lane ${box.lane.kind}${i % 2 === 1 ? ' odd' : ''}${box.lane.highlight ? ' hl' : ''}`;
    parts.push(`<rect class="${cls}" data-lane="${escapeHtml(box.lane.id)}" x="0" y="${box.y}" width="${Math.max(0, right)}" height="${box.h}"></rect>`);
    const life = box.lane.life;
    if (life === undefined) return;
    const x1 = life.from * view.scale - view.left;
    const x2 = (life.to ?? duration) * view.scale - view.left;
    if (x2 < 0 || x1 > view.width) return;
    const y = box.y + box.h - 2;
    parts.push(`<line class="life" x1="${x1.toFixed(1)}" x2="${x2.toFixed(1)}" y1="${y}" y2="${y}"></line>`);
    if (life.handshake !== null) {
      const xh = life.handshake * view.scale - view.left;
      parts.push(`<line class="tls" x1="${x1.toFixed(1)}" x2="${xh.toFixed(1)}" y1="${y}" y2="${y}"></line>`);
    }
  });
  return parts.join('');
}

/** Run-wide moments: the lines go under the bars, the labels (`labels: true`) over them. */
export function drawRules(rules: TimelineRule[], view: TimelineView, height: number, g: TimelineGeometry, labels: boolean): string {
  const parts: string[] = [];
  let lastX = -Infinity;
  let level = 0;
  for (const rule of [...rules].sort((a, b) => a.at - b.at)) {
    const x = rule.at * view.scale - view.left;
    if (x < -1 || x > view.width + 1) continue;
    if (!labels) {
      parts.push(`<line class="rule" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${g.axis}" y2="${height}"></line>`);
      continue;
    }
    // Labels of moments close together are stacked; near the right edge they read leftwards.
    level = x - lastX < 110 ? level + 1 : 0;
    lastX = x;
    const right = x > view.width - 110;
    const tx = right ? x - 3 : x + 3;
    parts.push(
      `<text class="rule-label" x="${tx.toFixed(1)}" y="${g.axis + 10 + 11 * (level % 3)}"${right ? ' text-anchor="end"' : ''}>${escapeHtml(rule.label)}</text>`,
    );
  }
  return parts.join('');
}

export function barBox(bar: TimelineBar, box: LaneBox, view: TimelineView, g: TimelineGeometry): { x: number; y: number; w: number; h: number } {
  // A bar named by a violation stays wide enough to see at any zoom.
  const w = Math.max(bar.highlight ? 7 : 2, (bar.to - bar.from) * view.scale);
  const x = bar.from * view.scale - view.left - (bar.highlight && (bar.to - bar.from) * view.scale < 7 ? 2 : 0);
  return { x, y: box.y + g.lanePad + bar.row * g.row + 1, w, h: g.row - 3 };
}

export function drawBars(bars: TimelineBar[], boxes: Map<string, LaneBox>, view: TimelineView, g: TimelineGeometry): string {
  const parts: string[] = [];
  for (const bar of bars) {
    const box = boxes.get(bar.lane);
    if (box === undefined) continue;
    const b = barBox(bar, box, view, g);
    if (b.x + b.w < -40 || b.x > view.width + 40) continue;
    const hue = bar.color < 0 ? null : (bar.color * 137.508) % 360;
    const fill = hue === null ? '#ccc' : `hsl(${hue.toFixed(0)} 62% 74%)`;
    const edge = hue === null ? '#777' : `hsl(${hue.toFixed(0)} 55% 34%)`;
    const cls =
      `bar ${bar.kind} tone-${bar.tone}${bar.open ? ' open' : ''}${bar.highlight ? ' hl' : ''}` +
      `${view.selected.has(bar.id) ? ' sel' : ''}${view.linked.has(bar.id) ? ' linked' : ''}${view.hover === bar.id ? ' hover' : ''}`;
    const data = `data-bar="${escapeHtml(bar.id)}" data-request-id="${escapeHtml(bar.requestId)}"`;
    parts.push(
      `<g class="${cls}" ${data}><rect x="${b.x.toFixed(1)}" y="${b.y}" width="${b.w.toFixed(1)}" height="${b.h}" rx="2" style="fill:${fill};stroke:${edge}"></rect>`,
    );
    if (bar.faults.length > 0) {
      parts.push(`<rect class="fault-stripe" x="${b.x.toFixed(1)}" y="${b.y}" width="${b.w.toFixed(1)}" height="3"></rect>`);
    }
    const visibleWidth = Math.min(b.x + b.w, view.width) - Math.max(b.x, 0);
    if (visibleWidth >= bar.label.length * g.charWidth + 6) {
      const tx = Math.max(b.x, 0) + 3;
      parts.push(`<text x="${tx.toFixed(1)}" y="${b.y + b.h - 4}">${escapeHtml(bar.label)}</text>`);
    }
    parts.push('</g>');
  }
  return parts.join('');
}

/** A mark's glyph: ticks for socket ends, a dot for a handshake, a diamond for a fault, a cross for an abort. */
export function markGlyph(mark: TimelineMark, x: number, box: LaneBox): string {
  const top = box.y + 1;
  const bottom = box.y + box.h - 1;
  const mid = box.y + box.h / 2;
  const f = (n: number) => n.toFixed(1);
  switch (mark.kind) {
    case 'handshake':
      return `<circle cx="${f(x)}" cy="${f(bottom - 2)}" r="3"></circle>`;
    case 'resumed':
      return `<circle class="hollow" cx="${f(x)}" cy="${f(bottom - 2)}" r="3"></circle>`;
    case 'fault':
      return `<path d="M${f(x)} ${f(top)}l4 4-4 4-4-4z"></path>`;
    case 'abort':
    case 'reset':
      return `<line x1="${f(x)}" x2="${f(x)}" y1="${f(top)}" y2="${f(bottom)}"></line><path class="cross" d="M${f(x - 4)} ${f(mid - 4)}l8 8m0-8l-8 8"></path>`;
    case 'fin':
      return `<line x1="${f(x)}" x2="${f(x)}" y1="${f(top)}" y2="${f(bottom)}"></line><path d="M${f(x)} ${f(top)}l-6 4 6 4z"></path>`;
    case 'hang':
      return `<line class="dashed" x1="${f(x)}" x2="${f(x)}" y1="${f(top)}" y2="${f(bottom)}"></line><path d="M${f(x - 4)} ${f(top)}h8l-8 8h8z"></path>`;
    case 'error':
      return `<path d="M${f(x)} ${f(top)}l5 9h-10z"></path>`;
    case 'timed':
      return `<circle class="hollow" cx="${f(x)}" cy="${f(top + 5)}" r="4"></circle><path class="hand" d="M${f(x)} ${f(top + 2)}v3h2"></path>`;
    default:
      return `<line x1="${f(x)}" x2="${f(x)}" y1="${f(top)}" y2="${f(bottom)}"></line>`;
  }
}

export function drawMarks(marks: TimelineMark[], boxes: Map<string, LaneBox>, view: TimelineView): string {
  const parts: string[] = [];
  marks.forEach((mark, i) => {
    const box = boxes.get(mark.lane);
    const x = mark.at * view.scale - view.left;
    if (box === undefined || x < -10 || x > view.width + 10) return;
    parts.push(`<g class="mark kind-${mark.kind}${mark.highlight ? ' hl' : ''}" data-mark="${i}">${markGlyph(mark, x, box)}</g>`);
  });
  return parts.join('');
}

export function drawLinks(
  links: TimelineLink[],
  model: TimelineModel,
  boxes: Map<string, LaneBox>,
  view: TimelineView,
  g: TimelineGeometry,
): string {
  const parts: string[] = [];
  for (const link of links) {
    const from = model.bars.find((b) => b.id === link.from);
    const to = model.bars.find((b) => b.id === link.to);
    const fromBox = from && boxes.get(from.lane);
    const toBox = to && boxes.get(to.lane);
    if (!from || !to || !fromBox || !toBox) continue;
    const a = barBox(from, fromBox, view, g);
    const b = barBox(to, toBox, view, g);
    const y1 = a.y + (toBox.y < fromBox.y ? 0 : a.h);
    const y2 = b.y + (toBox.y < fromBox.y ? b.h : 0);
    parts.push(
      `<line class="link ${link.kind}${link.highlight ? ' hl' : ''}" x1="${(a.x + 1).toFixed(1)}" y1="${y1}" x2="${(b.x + 1).toFixed(1)}" y2="${y2}"></line>`,
    );
  }
  return parts.join('');
}
