import test from 'ava';
import { renderExposition } from '../../../src/lab/prometheus/exposition.js';
import { formatExponent, formatSampleValue } from '../../../src/lab/prometheus/promql/format.js';
import type { LabFamily } from '../../../src/lab/samples.js';
import { promtoolCheckMetrics } from './promtool.js';

const families: LabFamily[] = [
  {
    name: 'lab_requests_total',
    type: 'counter',
    help: 'Requests with a \\ backslash\nand a newline in the help.',
    samples: [
      { name: 'lab_requests_total', labels: { path: 'C:\\dir', quote: 'say "hi"', multi: 'a\nb' }, value: 3 },
      { name: 'lab_requests_total', labels: {}, value: 1e21 },
    ],
  },
  {
    name: 'lab_latency_seconds',
    type: 'histogram',
    help: 'Latency.',
    samples: [
      { name: 'lab_latency_seconds_bucket', labels: { le: '0.5' }, value: 2 },
      { name: 'lab_latency_seconds_bucket', labels: { le: '+Inf' }, value: 3 },
      { name: 'lab_latency_seconds_sum', labels: {}, value: 1.25 },
      { name: 'lab_latency_seconds_count', labels: {}, value: 3 },
    ],
  },
  { name: 'lab_temperature_celsius', type: 'gauge', help: 'Special values.', samples: [
    { name: 'lab_temperature_celsius', labels: { probe: 'nan' }, value: Number.NaN },
    { name: 'lab_temperature_celsius', labels: { probe: 'hot' }, value: Number.POSITIVE_INFINITY },
    { name: 'lab_temperature_celsius', labels: { probe: 'cold' }, value: Number.NEGATIVE_INFINITY },
    { name: 'lab_temperature_celsius', labels: { probe: 'tiny' }, value: 1.5e-7 },
  ] },
  { name: 'lab_temperature_celsius', type: 'gauge', help: 'merged into the first block', samples: [{ name: 'lab_temperature_celsius', labels: { probe: 'second-source' }, value: 1 }] },
  { name: 'lab_empty', type: 'gauge', help: 'no samples, no block', samples: [] },
];

test('families render as text format 0.0.4 with escaped labels and help, merged by name', (t) => {
  t.is(
    renderExposition(families),
    [
      '# HELP lab_requests_total Requests with a \\\\ backslash\\nand a newline in the help.',
      '# TYPE lab_requests_total counter',
      'lab_requests_total{path="C:\\\\dir",quote="say \\"hi\\"",multi="a\\nb"} 3',
      'lab_requests_total 1e+21',
      '# HELP lab_latency_seconds Latency.',
      '# TYPE lab_latency_seconds histogram',
      'lab_latency_seconds_bucket{le="0.5"} 2',
      'lab_latency_seconds_bucket{le="+Inf"} 3',
      'lab_latency_seconds_sum 1.25',
      'lab_latency_seconds_count 3',
      '# HELP lab_temperature_celsius Special values.',
      '# TYPE lab_temperature_celsius gauge',
      'lab_temperature_celsius{probe="nan"} NaN',
      'lab_temperature_celsius{probe="hot"} +Inf',
      'lab_temperature_celsius{probe="cold"} -Inf',
      'lab_temperature_celsius{probe="tiny"} 1.5e-7',
      'lab_temperature_celsius{probe="second-source"} 1',
      '',
    ].join('\n'),
  );
});

test('the real promtool accepts the rendering without a single lint problem', (t) => {
  const verdict = promtoolCheckMetrics(renderExposition(families));
  t.is(verdict.code, 0, verdict.output);
});

test('promtool rejects a broken exposition (so the check above can fail)', (t) => {
  const verdict = promtoolCheckMetrics('# TYPE x gauge\nx{a="b} 1\n');
  t.is(verdict.code, 1, verdict.output);
});

test('sample values print as Go does: shortest decimals, no exponent, NaN and ±Inf spelled out', (t) => {
  t.is(formatSampleValue(1), '1');
  t.is(formatSampleValue(0.1 + 0.2), '0.30000000000000004');
  t.is(formatSampleValue(1e21), '1000000000000000000000');
  t.is(formatSampleValue(1.5e-7), '0.00000015');
  t.is(formatSampleValue(-2.5e-10), '-0.00000000025');
  t.is(formatSampleValue(1.234e25), '12340000000000000000000000');
  t.is(formatSampleValue(Number.NaN), 'NaN');
  t.is(formatSampleValue(Number.POSITIVE_INFINITY), '+Inf');
  t.is(formatSampleValue(Number.NEGATIVE_INFINITY), '-Inf');
  t.is(formatSampleValue(-0), '-0');
});

test('alert values print in Go\'s shortest exponent form', (t) => {
  t.is(formatExponent(1), '1e+00');
  t.is(formatExponent(0), '0e+00');
  t.is(formatExponent(123.5), '1.235e+02');
  t.is(formatExponent(2.5e-7), '2.5e-07');
  t.is(formatExponent(1e100), '1e+100');
  t.is(formatExponent(Number.NaN), 'NaN');
});
