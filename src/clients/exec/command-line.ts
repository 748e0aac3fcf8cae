/**
 * `--exec "CMD ARGS"` as words. The worker is spawned directly, with no shell between crosstalk and it, so a kill
 * reaches the worker itself and nothing is left running; the text is split the way a POSIX shell splits words
 * (single quotes, double quotes, backslashes) and nothing is expanded. Shell features need an explicit shell:
 * `--exec "sh -c '...'"`.
 */
export type SplitCommand = { ok: true; argv: string[] } | { ok: false; problem: string };

export function splitCommandLine(text: string): SplitCommand {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quote === "'") {
      if (char === "'") quote = null;
      else word += char;
      continue;
    }
    if (quote === '"') {
      if (char === '"') quote = null;
      else if (char === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === '\\') {
      if (i + 1 >= text.length) return { ok: false, problem: 'it ends with a lone backslash' };
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== null) return { ok: false, problem: `a ${quote === "'" ? 'single' : 'double'} quote is never closed` };
  if (inWord) argv.push(word);
  if (argv.length === 0) return { ok: false, problem: 'it names no command' };
  return { ok: true, argv };
}

/** One word as a POSIX shell reads it back: bare when it is plainly safe, else single-quoted. */
export function quoteForShell(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
