import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyResult } from '../../../src/verify/verify.js';
import { serializeResult } from '../../../src/verify/saved-result.js';
import { crosstalk, root } from '../../cli/spawn-cli.js';
import type { Browser } from './chromium.js';
import { launchChromium } from './chromium.js';
import { largeResult } from './large-result.js';

/**
 * The HTML report as a user opens it: written by the built CLI, loaded from disk in headless Chromium. Screenshots
 * go to test-artifacts/ (gitignored).
 */
const ARTIFACTS = join(root, 'test-artifacts', 'html-report');
/** returns-socket-on-abort under late-reply: a caller gives up, its socket goes back with the reply still coming. */
const BUGGY = ['--client', 'test/cli/fixtures/returns-socket-on-abort.mjs', '--faults', 'late-reply', '--connections', '2', '--check-replay', '0'];
const SEED = 2;

let dir: string;
let browser: Browser;
let buggy: { html: string; result: VerifyResult };
let large: { html: string; result: VerifyResult };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosstalk-html-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const json = join(dir, 'buggy.json');
  const html = join(dir, 'buggy.html');
  const run = await crosstalk('verify', ...BUGGY, '--callers', '3', '--ops', '2', '--runs', '100', '--seed', String(SEED), '--json', json, '--report', html);
  expect(run.code, run.out + run.err).toBe(1);
  buggy = { html, result: JSON.parse(await readFile(json, 'utf8')) as VerifyResult };

  // 1,000 requests, 16 callers on 4 sockets: written as a saved result, drawn by `crosstalk report`.
  const result = largeResult(1000, 16, 4, 500);
  await writeFile(join(dir, 'large.json'), serializeResult(result));
  const report = await crosstalk('report', join(dir, 'large.json'), '--html', join(dir, 'large.html'));
  expect(report.code, report.out + report.err).toBe(0);
  large = { html: join(dir, 'large.html'), result };
  browser = await launchChromium();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

async function open(file: string): Promise<{ page: Page; errors: string[]; loadMs: number }> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const started = performance.now();
  await page.goto(`file://${file}`);
  await page.locator('#timeline-svg [data-bar]').first().waitFor();
  return { page, errors, loadMs: performance.now() - started };
}

/** A box is on screen inside the timeline's visible part. */
async function inTimeline(page: Page, selector: string): Promise<boolean[]> {
  const frame = (await page.locator('#timeline-scroll').boundingBox())!;
  const boxes = await Promise.all((await page.locator(selector).all()).map((l) => l.boundingBox()));
  return boxes.map((b) => b !== null && b.width > 0 && b.x + b.width > frame.x && b.x < frame.x + frame.width && b.y >= frame.y && b.y < frame.y + frame.height);
}

describe('the HTML report in Chromium', () => {
  it(`shows a buggy client's counterexample: lanes, the violation in words, its requests highlighted (seed ${SEED})`, async () => {
    const { page, errors } = await open(buggy.html);
    const failure = buggy.result.failure!;
    const history = failure.history;
    const violations = failure.checks.flatMap((c) => c.violations);
    expect(violations.length).toBeGreaterThan(0);

    // A lane per socket and a lane per caller.
    expect(await page.locator('#timeline-labels [data-lane^="socket:"]').count()).toBe(history.server.sockets.length);
    expect(await page.locator('#timeline-labels [data-lane^="caller:"]').count()).toBe(history.scenario.callers.length);

    // The violations in words above the picture, naming the request ids they are about.
    const texts = await page.locator('#violations li .message').allTextContents();
    expect(texts).toEqual(violations.map((v) => v.message));
    const named = new Set(violations.flatMap((v) => [v.requestId, v.culpritRequestId]).filter((id): id is string => id !== undefined));
    expect(named.size).toBeGreaterThan(0);
    for (const id of named) expect(texts.join('\n')).toContain(id);

    // Highlighted in the picture: exactly the requests the violations name, every one of them on screen.
    const highlighted = await page.locator('#timeline-svg .bar.hl').evaluateAll((els) => els.map((e) => e.getAttribute('data-request-id')));
    expect(new Set(highlighted)).toEqual(named);
    expect(await inTimeline(page, '#timeline-svg .bar.hl')).not.toContain(false);
    const culprit = violations.find((v) => v.culpritRequestId !== undefined);
    if (culprit?.socketId !== undefined) {
      expect(await page.locator(`#timeline-labels .lane-label.hl[data-lane="socket:${culprit.socketId}"]`).count()).toBe(1);
    }

    // Hovering the violating call shows its ids; clicking the violation selects and details its bars.
    const call = page.locator(`#timeline-svg .bar.call.hl[data-request-id="${violations[0]!.requestId}"]`);
    await call.hover();
    await expect.poll(() => page.locator('#timeline-tip').textContent()).toContain(violations[0]!.requestId!);
    await page.locator('#violations li').first().click();
    await expect.poll(() => page.locator('#timeline-svg .bar.sel').count()).toBeGreaterThan(0);
    expect(await page.locator('#timeline-details').textContent()).toContain(violations[0]!.requestId!);
    expect(await inTimeline(page, '#timeline-svg .bar.hl')).not.toContain(false);

    const shot = join(ARTIFACTS, 'returns-socket-on-abort.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);

  it('stays usable at 1,000 requests on 16 callers × 4 sockets: only what is on screen is drawn, zoom and scroll', async () => {
    const { page, errors, loadMs } = await open(large.html);
    expect(await page.locator('#timeline-labels [data-lane]').count()).toBe(20);
    const drawn = () => page.locator('#timeline-svg [data-bar]').count();
    expect(await drawn()).toBe(2000); // the whole run fits: every call and every request

    // Measured in the page, printed, never asserted: one redraw of everything, and of a sixteenth of it.
    const redrawMs = await page.evaluate(() => {
      const timeline = (globalThis as unknown as { crosstalkTimeline: { view: { scale: number }; setScale(s: number, at: number): void } }).crosstalkTimeline;
      const fit = timeline.view.scale;
      const time = (scale: number) => {
        const started = performance.now();
        for (let i = 0; i < 10; i += 1) timeline.setScale(scale, 0);
        return (performance.now() - started) / 10;
      };
      const all = time(fit);
      const sixteenth = time(fit * 16);
      timeline.setScale(fit, 0);
      return { all, sixteenth };
    });
    const started = performance.now();
    for (let i = 0; i < 4; i += 1) await page.locator('#zoom-in').click();
    const zoomed = await drawn();
    expect(zoomed).toBeGreaterThan(0);
    expect(zoomed).toBeLessThan(400); // 16× in: a sixteenth of the run, and a margin

    // Scrolling to the end draws the last request.
    await page.locator('#timeline-scroll').evaluate((el) => (el.scrollLeft = el.scrollWidth));
    await expect.poll(() => page.locator('#timeline-svg [data-request-id="r1-c7-o62"]').count()).toBeGreaterThan(0);

    // The violation, a click away, zooms to its two requests.
    await page.locator('#violations li').first().click();
    expect(await inTimeline(page, '#timeline-svg .bar.hl')).not.toContain(false);
    const ids = await page.locator('#timeline-svg .bar.hl').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-request-id')))]);
    expect(ids.sort()).toEqual(['r1-c4-o31', 'r1-c5-o31']);
    const interactMs = performance.now() - started;
    console.log(
      `1,000 requests: loaded and drawn in ${loadMs.toFixed(0)} ms; a redraw of the whole run ${redrawMs.all.toFixed(1)} ms, ` +
        `zoomed 16x ${redrawMs.sixteenth.toFixed(1)} ms; 4 zooms, a scroll and a jump, driven, in ${interactMs.toFixed(0)} ms`,
    );

    await page.screenshot({ path: join(ARTIFACTS, 'large-16-callers-4-sockets.png') });
    expect(existsSync(join(ARTIFACTS, 'large-16-callers-4-sockets.png'))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);
});
