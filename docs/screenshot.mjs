// Makes the README's picture of an HTML report: `node docs/screenshot.mjs REPORT.html OUT.png` (after npm run build).
// Debian's Chromium through playwright-core, as the tests drive it; the page down to the end of the timeline.
import console from 'node:console';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [report, out] = process.argv.slice(2);
if (report === undefined || out === undefined) {
  console.error('usage: node docs/screenshot.mjs REPORT.html OUT.png');
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), 'crosstalk-shot-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1000, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  await page.goto(pathToFileURL(resolve(report)).href);
  await page.locator('#timeline-svg [data-bar]').first().waitFor();
  const bottom = await page.locator('#timeline').evaluate((el) => el.getBoundingClientRect().bottom);
  await page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: 0, width: 1000, height: Math.ceil(bottom) + 12 } });
  console.log(`${out} written`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
