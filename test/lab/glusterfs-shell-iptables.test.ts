/**
 * The two parsers behind the lab hosts: the shell's word splitting (quotes and backslashes
 * as sh does them, metacharacters refused) and iptables' rule normalisation (the `-S` form,
 * comment quoting, implicit `-m tcp`, dates completed), checked directly.
 */
import test from 'ava';
import { IptablesTable } from '../../src/lab/glusterfs/iptables.js';
import { saveString } from '../../src/lab/glusterfs/iptables-rule.js';
import { splitShellWords } from '../../src/lab/glusterfs/shell-words.js';
import { shellQuote } from './glusterfs-helpers.js';

test('shell words: bare, single-quoted, double-quoted and backslash-escaped words', (t) => {
  t.deepEqual(splitShellWords(`gluster --xml volume set home user.x 'a b'\\''c'`), { ok: true, argv: ['gluster', '--xml', 'volume', 'set', 'home', 'user.x', "a b'c"] });
  t.deepEqual(splitShellWords(`echo "a \\"b\\" \\\\ c" d\\ e ''`), { ok: true, argv: ['echo', 'a "b" \\ c', 'd e', ''] });
  t.deepEqual(splitShellWords('  spaced\tout  '), { ok: true, argv: ['spaced', 'out'] });
  t.deepEqual(splitShellWords("a'#'b x#y x~y '~'"), { ok: true, argv: ['a#b', 'x#y', 'x~y', '~'] });
  const words = ['it\'s', '"$HOME"', 'a;b', '`x`', '', 'plain-1.2:3/4'];
  t.deepEqual(splitShellWords(shellQuote(words)), { ok: true, argv: words }, 'round-trips what gameday quotes');
});

test('shell words: unquoted metacharacters and unterminated quotes are refused', (t) => {
  for (const line of ['a; b', 'a | b', 'a && b', 'a > f', 'a < f', 'echo $HOME', 'echo `id`', 'ls *', '(a)', 'a\nb', '# comment', '~/x', 'echo "$x"']) {
    const words = splitShellWords(line);
    t.false(words.ok, line);
    t.is(words.ok ? 0 : words.code, 127, line);
  }
  t.like(splitShellWords("echo 'open"), { ok: false, code: 2 });
  t.like(splitShellWords('echo "open'), { ok: false, code: 2 });
});

test('iptables: -I inserts at the top, -S prints the normalised form with -m tcp and the quoted comment', (t) => {
  const table = new IptablesTable();
  t.is(table.run(['-w', '-I', 'INPUT', '!', '-i', 'lo', '-p', 'tcp', '!', '--dport', '22', '-m', 'comment', '--comment', 'gameday:x', '-m', 'time', '--datestop', '2026-11-22T01:00:00', '-j', 'DROP']).code, 0);
  t.is(table.run(['-w', '-I', 'INPUT', '-m', 'comment', '--comment', 'plain_comment-1', '-m', 'time', '--datestop', '2026-11-22', '-j', 'DROP']).code, 0);
  t.is(table.run(['-w', '-S', 'INPUT']).stdout, [
    '-P INPUT ACCEPT',
    '-A INPUT -m comment --comment plain_comment-1 -m time --datestop 2026-11-22T00:00:00 -j DROP',
    '-A INPUT ! -i lo -p tcp -m tcp ! --dport 22 -m comment --comment "gameday:x" -m time --datestop 2026-11-22T01:00:00 -j DROP',
    '',
  ].join('\n'));
  t.is(table.run(['-C', 'INPUT', '!', '-i', 'lo', '-p', 'tcp', '-m', 'tcp', '!', '--destination-port', '22', '-m', 'comment', '--comment', 'gameday:x', '-m', 'time', '--datestop', '2026-11-22T01:00:00', '-j', 'DROP']).code, 0);
  t.is(table.run(['-D', 'INPUT', '1']).code, 0);
  t.is(table.rules().length, 1);
  t.is(table.run(['-w', '-D', 'INPUT', '3']).stderr, 'iptables: Index of deletion too big.\n');
});

test('iptables: parameter problems exit 2 with iptables\' messages', (t) => {
  const table = new IptablesTable();
  const expectUsage = (args: string[], message: RegExp): void => {
    const ran = table.run(args);
    t.is(ran.code, 2, args.join(' '));
    t.regex(ran.stderr, message);
    t.regex(ran.stderr, /Try `iptables -h' or 'iptables --help' for more information\.\n$/);
  };
  expectUsage(['-I', 'INPUT', '--dport', '22', '-j', 'DROP'], /unknown option "--dport"/);
  expectUsage(['-I', 'INPUT', '-m', 'nosuch', '-j', 'DROP'], /Couldn't load match `nosuch'/);
  expectUsage(['-I', 'INPUT', '-j', 'NOWHERE'], /Couldn't load target `NOWHERE'/);
  expectUsage(['-I', 'INPUT', '-m', 'time', '--datestop', '2026-02-30', '-j', 'DROP'], /Invalid date "2026-02-30"/);
  expectUsage(['-w'], /no command specified/);
  t.like(table.run(['-I', 'NOPE', '-j', 'DROP']), { code: 1, stderr: 'iptables: No chain/target/match by that name.\n' });
  t.deepEqual(table.rules(), []);
});

test('iptables quotes comments like xtables_save_string', (t) => {
  t.is(saveString('gameday-1_x'), 'gameday-1_x');
  t.is(saveString('gameday:run/1'), '"gameday:run/1"');
  t.is(saveString(`a"b'c\\d`), `"a\\"b\\'c\\\\d"`);
  t.is(saveString(''), '""');
});
