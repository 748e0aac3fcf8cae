import type * as TimelineDraw from './timeline-draw.js';
import type { LaneBox, TimelineView } from './timeline-draw.js';
import type { TimelineModel } from './timeline-types.js';

/**
 * The report page's behaviour: draw what is on screen, zoom (buttons, keys, ctrl+wheel at the pointer), pan (drag,
 * scroll), hover for details, click to select a bar with the bars it is linked to, click a violation to zoom to it.
 * Only the visible time span is drawn, so a run of a thousand requests zooms and scrolls as fast as ten.
 *
 * It runs in the page (embedded by html-report.ts from its source), hence the small DOM surface declared here
 * instead of the DOM library, which the Node project does not load, and the drawing functions handed in as `draw`
 * rather than imported: a bundler or test runner may rewrite an imported name, never a parameter.
 */
interface PageEvent {
  target: PageElement | null;
  clientX: number;
  clientY: number;
  deltaY: number;
  ctrlKey: boolean;
  metaKey: boolean;
  key: string;
  button: number;
  preventDefault(): void;
}
interface PageElement {
  innerHTML: string;
  textContent: string | null;
  clientWidth: number;
  scrollLeft: number;
  style: Record<string, string>;
  classList: { toggle(name: string, on?: boolean): void; add(name: string): void };
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; top: number };
  closest(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  addEventListener(type: string, listener: (event: PageEvent) => void, options?: { passive: boolean }): void;
}
declare const document: {
  getElementById(id: string): PageElement | null;
  addEventListener(type: string, listener: (event: PageEvent) => void): void;
};
declare const window: {
  innerWidth: number;
  innerHeight: number;
  addEventListener(type: string, listener: () => void): void;
  requestAnimationFrame(callback: () => void): number;
  crosstalkTimeline?: unknown;
};

export function timelineApp(model: TimelineModel, draw: typeof TimelineDraw): void {
  const g = draw.timelineGeometry();
  const byId = (id: string) => document.getElementById(id)!;
  const scroll = byId('timeline-scroll');
  const track = byId('timeline-track');
  const svg = byId('timeline-svg');
  const labels = byId('timeline-labels');
  const tip = byId('timeline-tip');
  const details = byId('timeline-details');
  const scaleText = byId('timeline-scale');

  const layout = draw.layoutLanes(model.lanes, g);
  const boxes = new Map<string, LaneBox>(layout.boxes.map((box) => [box.lane.id, box]));
  const barsById = new Map(model.bars.map((bar) => [bar.id, bar]));
  const view: TimelineView = { scale: 1, left: 0, width: 0, selected: new Set(), linked: new Set(), hover: null };
  labels.setAttribute('height', String(layout.height));
  labels.setAttribute('width', String(g.labelWidth));
  labels.innerHTML = draw.drawLabels(layout, g);
  svg.setAttribute('height', String(layout.height));
  track.style.height = `${layout.height}px`;

  const fitScale = () => Math.max(1e-6, scroll.clientWidth / model.duration);
  const maxScale = () => Math.max(fitScale(), Math.min(2000, 3e7 / model.duration));
  let pending = false;

  function render(): void {
    pending = false;
    view.width = scroll.clientWidth;
    view.left = scroll.scrollLeft;
    svg.setAttribute('width', String(view.width));
    const links = model.links.filter(
      (l) => l.highlight || view.selected.has(l.from) || view.selected.has(l.to) || l.from === view.hover || l.to === view.hover,
    );
    svg.classList.toggle('has-selection', view.selected.size > 0);
    svg.innerHTML =
      draw.drawLanes(layout, view, model.duration) +
      draw.drawAxis(view, model.duration, layout.height, g) +
      draw.drawRules(model.rules, view, layout.height, g, false) +
      draw.drawBars(model.bars, boxes, view, g) +
      draw.drawLinks(links, model, boxes, view, g) +
      draw.drawMarks(model.marks, boxes, view) +
      draw.drawRules(model.rules, view, layout.height, g, true);
    const pxPerMs = view.scale;
    scaleText.textContent = pxPerMs >= 1 ? `1 ms = ${pxPerMs.toFixed(pxPerMs < 10 ? 1 : 0)} px` : `1 px = ${(1 / pxPerMs).toFixed(2)} ms`;
  }
  function schedule(): void {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(render);
  }
  /** Zooms to `scale`, keeping the moment under `anchorPx` (from the left of the visible part) where it is. */
  function setScale(scale: number, anchorPx: number): void {
    const clamped = Math.min(maxScale(), Math.max(fitScale(), scale));
    const anchorMs = (scroll.scrollLeft + anchorPx) / view.scale;
    view.scale = clamped;
    track.style.width = `${Math.ceil(model.duration * clamped)}px`;
    scroll.scrollLeft = Math.max(0, anchorMs * clamped - anchorPx);
    render();
  }
  function zoomTo(from: number, to: number): void {
    const span = Math.max(0.05, to - from);
    const pad = span * 0.15;
    const scale = Math.min(maxScale(), Math.max(fitScale(), scroll.clientWidth / (span + 2 * pad)));
    view.scale = scale;
    track.style.width = `${Math.ceil(model.duration * scale)}px`;
    scroll.scrollLeft = Math.max(0, (from - pad) * scale);
    render();
  }
  function select(ids: string[]): void {
    view.selected = new Set(ids);
    view.linked = new Set();
    for (const link of model.links) {
      if (view.selected.has(link.from)) view.linked.add(link.to);
      if (view.selected.has(link.to)) view.linked.add(link.from);
    }
    const first = barsById.get(ids[0] ?? '');
    details.innerHTML =
      first === undefined
        ? '<p class="hint">Click a bar for its details; click a violation above to zoom to it.</p>'
        : ids
            .map((id) => barsById.get(id))
            .filter((bar) => bar !== undefined)
            .map((bar) => `<div class="bar-details" data-details="${draw.escapeHtml(bar!.id)}"><h3>${draw.escapeHtml(bar!.kind === 'call' ? `call ${bar!.label}` : `request on socket ${bar!.socketId}`)}</h3>${detailsTable(bar!.details)}</div>`)
            .join('');
    render();
  }
  function detailsTable(rows: Array<[string, string]>): string {
    return `<table>${rows.map(([k, v]) => `<tr><th>${draw.escapeHtml(k)}</th><td>${draw.escapeHtml(v)}</td></tr>`).join('')}</table>`;
  }
  function pointerPx(event: PageEvent): number {
    return event.clientX - scroll.getBoundingClientRect().left;
  }

  scroll.addEventListener('scroll', schedule);
  window.addEventListener('resize', () => setScale(view.scale, 0));
  scroll.addEventListener(
    'wheel',
    (event) => {
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      setScale(view.scale * Math.exp(-event.deltaY * 0.002), pointerPx(event));
    },
    { passive: false },
  );
  let drag: { x: number; left: number; moved: boolean } | null = null;
  scroll.addEventListener('mousedown', (event) => {
    if (event.button === 0) drag = { x: event.clientX, left: scroll.scrollLeft, moved: false };
  });
  document.addEventListener('mousemove', (event) => {
    if (drag !== null) {
      if (Math.abs(event.clientX - drag.x) > 3) drag.moved = true;
      if (drag.moved) scroll.scrollLeft = drag.left - (event.clientX - drag.x);
    }
    const barEl = event.target?.closest?.('[data-bar]') ?? null;
    const markEl = barEl === null ? (event.target?.closest?.('[data-mark]') ?? null) : null;
    const hover = barEl?.getAttribute('data-bar') ?? null;
    if (hover !== view.hover) {
      view.hover = hover;
      schedule();
    }
    const bar = hover === null ? undefined : barsById.get(hover);
    const mark = markEl === null ? undefined : model.marks[Number(markEl.getAttribute('data-mark'))];
    if (bar === undefined && mark === undefined) {
      tip.style.display = 'none';
      return;
    }
    tip.innerHTML = bar !== undefined ? detailsTable(bar.details) : `<p>${draw.escapeHtml(mark!.label)} at ${mark!.at.toFixed(1)} ms</p>`;
    tip.style.display = 'block';
    tip.style.left = `${Math.min(event.clientX + 14, window.innerWidth - 380)}px`;
    tip.style.top = `${Math.min(event.clientY + 14, window.innerHeight - 260)}px`;
  });
  document.addEventListener('mouseup', (event) => {
    const moved = drag?.moved === true;
    drag = null;
    if (moved || event.target?.closest?.('#timeline-scroll') == null) return;
    const barEl = event.target.closest('[data-bar]');
    select(barEl === null ? [] : [barEl.getAttribute('data-bar')!]);
  });
  const zoomBy = (factor: number) => setScale(view.scale * factor, scroll.clientWidth / 2);
  byId('zoom-in').addEventListener('click', () => zoomBy(2));
  byId('zoom-out').addEventListener('click', () => zoomBy(0.5));
  byId('zoom-fit').addEventListener('click', () => setScale(fitScale(), 0));
  document.addEventListener('keydown', (event) => {
    if (event.key === '+' || event.key === '=') zoomBy(2);
    else if (event.key === '-') zoomBy(0.5);
    else if (event.key === '0') setScale(fitScale(), 0);
  });
  const items = document.getElementById('violations')?.querySelectorAll('[data-violation]') ?? [];
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i]!;
    item.addEventListener('click', () => {
      const violation = model.violations[Number(item.getAttribute('data-violation'))];
      if (violation === undefined) return;
      select(violation.bars);
      zoomTo(violation.from, violation.to);
    });
  }
  view.scale = fitScale();
  track.style.width = `${Math.ceil(model.duration * view.scale)}px`;
  select([]);
  window.crosstalkTimeline = { model, view, zoomTo, select, setScale };
}
