import { describe, expect, test } from 'vitest';
import { lowerBound, upperBound, utf8 } from '../../../src/server/couch/collation.js';
import { byteOrder, fixtureLiveIds, freshCouch, ids, q, req } from './helpers.js';

describe('_all_docs orders ids by raw UTF-8 bytes', () => {
  const couch = freshCouch();
  const all = ids(couch.handle(req('GET', '/foundbite/_all_docs')));

  test('the whole database comes back in Buffer.compare order, deleted and _local docs left out', () => {
    expect(all).toEqual(fixtureLiveIds('foundbite'));
    expect(all.length).toBeGreaterThanOrEqual(500);
    expect(all.some((id) => id.startsWith('_local/'))).toBe(false);
  });

  test('"10" sorts before "2", and "100" before "11"', () => {
    expect(all.indexOf('10')).toBeLessThan(all.indexOf('2'));
    expect(all.indexOf('100')).toBeLessThan(all.indexOf('11'));
    expect(all.indexOf('1')).toBeLessThan(all.indexOf('10'));
  });

  test('digits < uppercase < "_" < lowercase < "~" < Latin-1 < CJK', () => {
    const order = ['0', 'A', 'APPLE', 'Zebra', '_design/filters', 'a', 'zebra', '~tilde', 'école', 'ÿ-last-latin1', '中文菜单'];
    const positions = order.map((id) => all.indexOf(id));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('astral characters sort after U+FFxx (JavaScript < would put them first)', () => {
    expect('😀-smile' < '～wave-fullwidth').toBe(true); // UTF-16 order: the trap
    expect(all.indexOf('～wave-fullwidth')).toBeLessThan(all.indexOf('😀-smile'));
    expect(all.indexOf('\u{FFFD}replacement')).toBeLessThan(all.indexOf('𝄞-music'));
    expect(all.indexOf('🍕pizza')).toBeLessThan(all.indexOf('\u{10FFFF}-max'));
    expect(all[all.length - 1]).toBe('\u{10FFFF}-max');
  });

  test('case and accents are not folded: uber < Über < über (ICU would say uber < über < Über)', () => {
    expect(byteOrder(['über', 'uber', 'Über'])).toEqual(['uber', 'Über', 'über']);
    expect(all.indexOf('uber')).toBeLessThan(all.indexOf('Über'));
    expect(all.indexOf('Über')).toBeLessThan(all.indexOf('über'));
  });

  test('descending is the exact reverse', () => {
    expect(ids(couch.handle(req('GET', '/foundbite/_all_docs', { query: q({ descending: true }) })))).toEqual([...all].reverse());
  });
});

describe('binary search over sorted Buffers', () => {
  const sorted = ['a', 'b', 'b', 'd'].map(utf8);
  test.each([
    ['', 0, 0],
    ['a', 0, 1],
    ['b', 1, 3],
    ['c', 3, 3],
    ['d', 3, 4],
    ['e', 4, 4],
  ])('bounds of %j', (key, lower, upper) => {
    expect(lowerBound(sorted, utf8(key))).toBe(lower);
    expect(upperBound(sorted, utf8(key))).toBe(upper);
  });
});
