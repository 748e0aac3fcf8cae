import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../../src/report/html/html-report.js';
import { largeResult } from './large-result.js';

/** The page as text: self-contained, its data embedded safely, the words there without the script. */
describe('renderHtmlReport', () => {
  const result = largeResult(40, 4, 2, 10);

  it('is one self-contained file: no address to fetch anything from, the data embedded', () => {
    const html = renderHtmlReport(result);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/@import|url\(/);
    expect(html).toContain('<script type="application/json" id="timeline-data">');
    const data = /<script type="application\/json" id="timeline-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(data).bars).toHaveLength(80);
  });

  it('says what went wrong in plain HTML, above the picture, with the ids', () => {
    const html = renderHtmlReport(result);
    const violation = result.failure!.checks.flatMap((c) => c.violations)[0]!;
    const words = html.indexOf('What went wrong');
    expect(words).toBeGreaterThan(0);
    expect(words).toBeLessThan(html.indexOf('id="timeline-svg"'));
    expect(html).toContain(violation.message.replace(/'/g, '&#39;'));
    expect(html).toContain(`request ${violation.requestId}`);
    expect(html).toContain(`other party ${violation.culpritRequestId}`);
    expect(html).toContain('NOT SAFE to share: synthetic violated no-cross-talk.');
  });

  it('keeps a closing script tag in the data from ending the script', () => {
    const hostile = structuredClone(result);
    hostile.failure!.history.calls[0]!.callerId = '</script><script>alert(1)</script>';
    const html = renderHtmlReport(hostile);
    const data = /<script type="application\/json" id="timeline-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(data).not.toContain('</script');
    expect(JSON.stringify(JSON.parse(data))).toContain('</script><script>alert(1)</script>');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('draws no timeline for a safe result, which keeps no history', () => {
    const safe = { ...structuredClone(result), verdict: 'safe' as const, failure: null, firstFailure: null };
    const html = renderHtmlReport(safe);
    expect(html).toContain('SAFE to share');
    expect(html).toContain('No counterexample to draw');
    expect(html).not.toContain('<script');
  });
});
