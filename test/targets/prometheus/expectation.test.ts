import test from 'ava';
import {
  describeExpectation,
  formatNumber,
  judge,
  needsBaseline,
  parseExpectation,
  type Expectation,
} from '../../../src/targets/prometheus/common/expectation.js';

function parsed(text: string): Expectation {
  const e = parseExpectation(text);
  if ('error' in e) throw new Error(e.error);
  return e;
}

test('every comparison operator followed by a number is read, spaces optional', (t) => {
  t.deepEqual(parsed('< 0.5'), { kind: 'compare', op: '<', bound: 0.5 });
  t.deepEqual(parsed('>=3'), { kind: 'compare', op: '>=', bound: 3 });
  t.deepEqual(parsed('  == 1 '), { kind: 'compare', op: '==', bound: 1 });
  t.deepEqual(parsed('!= -2e3'), { kind: 'compare', op: '!=', bound: -2000 });
  t.deepEqual(parsed('<= .25'), { kind: 'compare', op: '<=', bound: 0.25 });
  t.deepEqual(parsed('> +7'), { kind: 'compare', op: '>', bound: 7 });
});

test('between reads both ends and refuses them in the wrong order', (t) => {
  t.deepEqual(parsed('between 1 and 5'), { kind: 'between', low: 1, high: 5 });
  t.deepEqual(parsed('Between -1.5 AND 0'), { kind: 'between', low: -1.5, high: 0 });
  const bad = parseExpectation('between 5 and 1');
  t.true('error' in bad && /lower end comes first/.test(bad.error));
});

test('the baseline forms are read: within a percentage or an amount, and an operator against before with an adjustment', (t) => {
  t.deepEqual(parsed('within 10% of before'), { kind: 'within', amount: 10, percent: true });
  t.deepEqual(parsed('within 0.5 of before'), { kind: 'within', amount: 0.5, percent: false });
  t.deepEqual(parsed('<= before'), { kind: 'baseline', op: '<=', adjust: undefined });
  t.deepEqual(parsed('<= before * 1.2'), { kind: 'baseline', op: '<=', adjust: { by: '*', amount: 1.2 } });
  t.deepEqual(parsed('>= before - 3'), { kind: 'baseline', op: '>=', adjust: { by: '-', amount: 3 } });
  t.deepEqual(parsed('< before+0.1'), { kind: 'baseline', op: '<', adjust: { by: '+', amount: 0.1 } });
  t.true(needsBaseline(parsed('within 1 of before')));
  t.true(needsBaseline(parsed('== before')));
  t.false(needsBaseline(parsed('< 1')));
  t.false(needsBaseline(parsed('between 0 and 1')));
});

test('a malformed expectation is refused with every accepted form listed', (t) => {
  for (const text of ['', 'less than 3', '< x', '=< 3', '< 1 2', 'within -5% of before', 'within 5% of after', 'between 1 5', '< before / 2']) {
    const e = parseExpectation(text);
    t.true('error' in e, text);
    if (!('error' in e)) continue;
    t.regex(e.error, /expected one of: "< 0\.5".*"between 1 and 5".*"within 10% of before".*"<= before \* 1\.2"/, text);
  }
});

test('comparisons pass and fail at the right side of the bound', (t) => {
  t.true(judge(parsed('< 0.5'), 0.49, undefined).ok);
  t.false(judge(parsed('< 0.5'), 0.5, undefined).ok);
  t.true(judge(parsed('<= 0.5'), 0.5, undefined).ok);
  t.true(judge(parsed('>= 3'), 3, undefined).ok);
  t.false(judge(parsed('> 3'), 3, undefined).ok);
  t.true(judge(parsed('== 1'), 1, undefined).ok);
  t.false(judge(parsed('== 1'), 1.0001, undefined).ok);
  t.true(judge(parsed('!= 0'), 2, undefined).ok);
  t.false(judge(parsed('!= 0'), 0, undefined).ok);
  t.true(judge(parsed('between 1 and 5'), 1, undefined).ok);
  t.true(judge(parsed('between 1 and 5'), 5, undefined).ok);
  t.false(judge(parsed('between 1 and 5'), 5.5, undefined).ok);
  t.true(judge(parsed('< 1'), -Infinity, undefined).ok);
  t.false(judge(parsed('< 1'), Infinity, undefined).ok);
});

test('NaN meets no expectation, not even !=, and ranks as the worst', (t) => {
  for (const text of ['< 1', '> 1', '!= 0', 'between 0 and 1', '== 0']) {
    const j = judge(parsed(text), NaN, undefined);
    t.false(j.ok, text);
    t.is(j.margin, -Infinity, text);
  }
  t.false(judge(parsed('within 10% of before'), NaN, 1).ok);
});

test('the margin ranks series: the one closest to failing, or furthest past the bound, has the smallest', (t) => {
  const e = parsed('< 10');
  t.true(judge(e, 9, undefined).margin < judge(e, 1, undefined).margin);
  t.true(judge(e, 12, undefined).margin < judge(e, 11, undefined).margin);
  const between = parsed('between 0 and 10');
  t.true(judge(between, 9, undefined).margin < judge(between, 5, undefined).margin);
  t.true(judge(between, -3, undefined).margin < judge(between, 11, undefined).margin);
});

test('within a percentage of before accepts the edge despite binary fractions, and refuses just past it', (t) => {
  const e = parsed('within 10% of before');
  t.true(judge(e, 11, 10).ok);
  t.true(judge(e, 9, 10).ok);
  t.true(judge(e, 0.33, 0.3).ok);
  t.false(judge(e, 11.01, 10).ok);
  t.false(judge(e, 8.9, 10).ok);
  t.true(judge(e, -11, -10).ok, 'a negative baseline uses its magnitude');
  t.true(judge(e, 0, 0).ok);
  t.false(judge(e, 0.001, 0).ok, 'a percentage of a zero baseline allows nothing');
  t.is(judge(e, 10.5, 12).rule, 'within 10% of before (12 ± 1.2)');
});

test('within an amount of before and operators against before use the baseline given', (t) => {
  t.true(judge(parsed('within 0.5 of before'), 2.4, 2).ok);
  t.false(judge(parsed('within 0.5 of before'), 2.6, 2).ok);
  t.true(judge(parsed('<= before * 1.2'), 14.4, 12).ok);
  t.false(judge(parsed('<= before * 1.2'), 14.5, 12).ok);
  t.false(judge(parsed('< before * 1.2'), 14.4, 12).ok, 'a computed bound equal to the value is equal, not above it');
  t.true(judge(parsed('>= before - 3'), 7, 10).ok);
  t.false(judge(parsed('>= before - 3'), 6.9, 10).ok);
  t.true(judge(parsed('< before + 1'), 10.9, 10).ok);
  t.true(judge(parsed('== before'), 4, 4).ok);
  t.is(judge(parsed('<= before * 1.2'), 13, 12).rule, '<= 14.4 (before 12 * 1.2)');
  t.is(judge(parsed('== before'), 4, 4).rule, '== 4 (before 4)');
});

test('judging a baseline form without a baseline is a programming error, never a silent pass', (t) => {
  t.throws(() => judge(parsed('within 10% of before'), 1, undefined), { instanceOf: RangeError });
  t.throws(() => judge(parsed('<= before'), 1, undefined), { instanceOf: RangeError });
});

test('expectations and numbers are written back in a canonical form', (t) => {
  t.is(describeExpectation(parsed('  <=   before*1.2')), '<= before * 1.2');
  t.is(describeExpectation(parsed('BETWEEN 1 and 2')), 'between 1 and 2');
  t.is(describeExpectation(parsed('within 10 % of before')), 'within 10% of before');
  t.is(describeExpectation(parsed('>=3')), '>= 3');
  t.is(formatNumber(0.1 + 0.2), '0.3');
  t.is(formatNumber(1234567.89), '1234570');
  t.is(formatNumber(NaN), 'NaN');
  t.is(formatNumber(Infinity), '+Inf');
  t.is(formatNumber(-Infinity), '-Inf');
});
