import { readFileSync } from 'node:fs';

/**
 * What the check does with a snippet, from the HTML comment right above its fence
 * (`<!-- snippet: compile-only — needs a Redis server -->`):
 * - `run` (no comment): compiled strictly, then run with node from another directory;
 * - `redis`: compiled strictly, then run like `run`, against a throwaway redis-server the
 *   check starts (`redis://127.0.0.1:6379` in the code, and `REDIS_URL`, name that server);
 * - `compile-only`: compiled strictly, not run (it needs a server the check cannot start,
 *   or never exits);
 * - `excerpt <path>`: an excerpt of a repository file, whose lines must appear in that file
 *   in the same order, so the docs cannot drift from the code;
 * - `skip`: a fragment that cannot compile on its own; use sparingly, with a reason.
 */
export type SnippetMode = 'run' | 'redis' | 'compile-only' | 'excerpt' | 'skip';

/** One fenced code block of a Markdown file. */
export interface Snippet {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** The line of the opening fence (1-based). */
  line: number;
  /** The fence's language: `ts` or `typescript`. */
  lang: string;
  mode: SnippetMode;
  /** For `excerpt`: the file it is taken from, relative to the repository root. */
  source?: string;
  /** The code, without the fences. */
  code: string;
}

const MARKER = /^<!--\s*snippet:\s*(run|redis|compile-only|skip|excerpt)\b\s*(\S*)?.*-->\s*$/;

/**
 * The TypeScript snippets (```ts fences) of the Markdown file `path` (absolute), named by
 * `file` (relative to the repository root).
 * @throws Error when a marker is malformed or a fence is left open
 */
export function extractSnippets(path: string, file: string): Snippet[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)```(\w*)\s*$/.exec(lines[i] ?? '');
    if (!fence) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end] ?? '')) end++;
    if (end >= lines.length) throw new Error(`${file}:${start + 1}: a code fence is left open`);
    i = end;
    const lang = fence[2] ?? '';
    if (lang !== 'ts' && lang !== 'typescript') continue;
    let k = start - 1;
    while (k >= 0 && (lines[k] ?? '').trim() === '') k--;
    const above = lines[k] ?? '';
    const marker = MARKER.exec(above.trim());
    if (above.includes('snippet:') && !marker) {
      throw new Error(`${file}:${start}: malformed snippet marker: ${above.trim()}`);
    }
    const mode = (marker?.[1] ?? 'run') as SnippetMode;
    const source = mode === 'excerpt' ? marker?.[2] : undefined;
    if (mode === 'excerpt' && !source) {
      throw new Error(`${file}:${start}: an excerpt marker names its file`);
    }
    const indent = fence[1]?.length ?? 0;
    snippets.push({
      file,
      line: start + 1,
      lang,
      mode,
      ...(source ? { source } : {}),
      code: lines
        .slice(start + 1, end)
        .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
        .join('\n'),
    });
  }
  return snippets;
}

/**
 * The snippet as a module to compile: `export {}` makes it a module even without imports
 * (so that snippets never share globals), and each line that says `// compile error` gets
 * a `// @ts-expect-error` above it, so the error it shows readers is checked to happen.
 */
export function toModule(snippet: Snippet): string {
  const out = [`// ${snippet.file}:${snippet.line}`];
  for (const line of snippet.code.split('\n')) {
    if (/\/\/\s*compile error\b/.test(line)) {
      out.push(`${line.slice(0, line.length - line.trimStart().length)}// @ts-expect-error`);
    }
    out.push(line);
  }
  out.push('export {};', '');
  return out.join('\n');
}

/**
 * The first line of an excerpt that does not appear in `sourceText`, in order, or
 * `undefined` when every non-empty line does (compared trimmed; `// …` elision lines are
 * skipped).
 */
export function missingExcerptLine(code: string, sourceText: string): string | undefined {
  const source = sourceText.split('\n').map((line) => line.trim());
  let at = 0;
  for (const raw of code.split('\n')) {
    const line = raw.trim();
    if (line === '' || line === '// …' || line === '…') continue;
    const found = source.indexOf(line, at);
    if (found === -1) return raw;
    at = found + 1;
  }
  return undefined;
}
