/**
 * The lab hosts' shell: an SSH "exec" request arrives as one command line, which sshd hands
 * to the user's shell. Rule: the lab runs simple commands only — words made of bare text,
 * 'single quotes', "double quotes" and backslash escapes, as POSIX sh splits them; anything
 * the shell would interpret (an unquoted ; | & < > ( ) $ ` * ? [ # ~ or a newline, or $ and `
 * inside double quotes) is refused rather than half-understood.
 */

/** The words of a command line, or why the lab's shell refuses it. */
export type ShellWords = { ok: true; argv: string[] } | { ok: false; code: number; message: string };

const UNQUOTED_SPECIAL = new Set([';', '|', '&', '<', '>', '(', ')', '$', '`', '*', '?', '[', '\n']);
/** Special only where a word starts (a comment, tilde expansion). */
const WORD_START_SPECIAL = new Set(['#', '~']);
const DOUBLE_QUOTE_ESCAPABLE = new Set(['$', '`', '"', '\\', '\n']);

function refuse(character: string, at: number): ShellWords {
  const shown = character === '\n' ? 'newline' : `'${character}'`;
  return { ok: false, code: 127, message: `sh: the lab's shell runs simple commands only: unquoted ${shown} at offset ${at}\n` };
}

/** Splits `line` into words the way sh would, or refuses it. */
export function splitShellWords(line: string): ShellWords {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const end = (): void => {
    if (inWord) argv.push(word);
    word = '';
    inWord = false;
  };
  while (i < line.length) {
    const c = line[i] ?? '';
    if (c === ' ' || c === '\t') {
      end();
      i += 1;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) return unterminated();
      word += line.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      const parsed = doubleQuoted(line, i + 1);
      if (!parsed.ok) return parsed.refusal;
      word += parsed.text;
      inWord = true;
      i = parsed.next;
    } else if (c === '\\') {
      const next = line[i + 1];
      if (next === undefined) return unterminated();
      if (next !== '\n') {
        word += next;
        inWord = true;
      }
      i += 2;
    } else if (UNQUOTED_SPECIAL.has(c) || (!inWord && WORD_START_SPECIAL.has(c))) {
      return refuse(c, i);
    } else {
      word += c;
      inWord = true;
      i += 1;
    }
  }
  end();
  return { ok: true, argv };
}

type DoubleQuoted = { ok: true; text: string; next: number } | { ok: false; refusal: ShellWords };

function doubleQuoted(line: string, start: number): DoubleQuoted {
  let text = '';
  let i = start;
  while (i < line.length) {
    const c = line[i] ?? '';
    if (c === '"') return { ok: true, text, next: i + 1 };
    if (c === '$' || c === '`') return { ok: false, refusal: refuse(c, i) };
    if (c === '\\') {
      const next = line[i + 1];
      if (next === undefined) break;
      if (DOUBLE_QUOTE_ESCAPABLE.has(next)) {
        if (next !== '\n') text += next;
      } else {
        text += c + next;
      }
      i += 2;
      continue;
    }
    text += c;
    i += 1;
  }
  return { ok: false, refusal: unterminated() };
}

function unterminated(): ShellWords {
  return { ok: false, code: 2, message: 'sh: 1: Syntax error: Unterminated quoted string\n' };
}
