import { describe, expect, it } from 'vitest';
import { quoteForShell, splitCommandLine } from '../../../src/clients/exec/command-line.js';

describe('--exec as words', () => {
  it.each([
    ['python3 examples/python/requests_worker.py --mode shared', ['python3', 'examples/python/requests_worker.py', '--mode', 'shared']],
    ["  sh -c 'echo a  b'  ", ['sh', '-c', 'echo a  b']],
    ['say "a \\"quoted\\" word" x\\ y', ['say', 'a "quoted" word', 'x y']],
    ["it''s \"\" ''", ['its', '', '']],
    ['a\tb\nc', ['a', 'b', 'c']],
  ])('splits %j as a shell would, expanding nothing', (text, argv) => {
    expect(splitCommandLine(text)).toEqual({ ok: true, argv });
  });

  it.each([
    ["python3 'open", 'a single quote is never closed'],
    ['python3 "open', 'a double quote is never closed'],
    ['python3 trailing\\', 'it ends with a lone backslash'],
    ['   ', 'it names no command'],
  ])('refuses %j: %s', (text, problem) => {
    expect(splitCommandLine(text)).toEqual({ ok: false, problem });
  });

  it.each([
    'python3 examples/python/requests_worker.py --mode shared',
    "sh -c 'echo it'\\''s'",
    '/usr/bin/python3 w.py --name "two words"',
  ])('quoteForShell(%j) reads back, through the same splitter, as the one word it was', (text) => {
    const quoted = quoteForShell(text);
    expect(splitCommandLine(`--exec ${quoted}`)).toEqual({ ok: true, argv: ['--exec', text] });
  });

  it('leaves a plainly safe word bare', () => {
    expect(quoteForShell('examples/python/w.py')).toBe('examples/python/w.py');
    expect(quoteForShell('a b')).toBe("'a b'");
  });
});
