// Pure parsers from the compact text the forms take (one item a line, shell-like words) to the
// shapes of the engine's schemas. Lenient on purpose: the shared zod schemas say what is wrong.

/** Splits like a POSIX shell: whitespace separates words, quotes group, a backslash escapes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Non-blank lines, trimmed. */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** "KEY=value" lines → [key, value]; a line without "=" is a key with an empty value. */
export function keyValueLines(text: string): [string, string][] {
  return lines(text).map((line) => {
    const at = line.indexOf('=');
    return at < 0 ? [line, ''] : [line.slice(0, at).trim(), line.slice(at + 1)];
  });
}

export function keyValueRecord(text: string): Record<string, string> {
  return Object.fromEntries(keyValueLines(text));
}

/** "a, b c" → ["a", "b", "c"]. */
export function listItems(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

/** "" → undefined (the schema's default applies); anything else → a number, NaN if it is not one. */
export function optionalNumber(text: string): number | undefined {
  const t = text.trim();
  return t === '' ? undefined : Number(t);
}

/** "0644" or "644" → 0o644; NaN for anything but octal digits. */
export function octal(text: string): number {
  return /^[0-7]{1,4}$/.test(text) ? parseInt(text, 8) : Number.NaN;
}
