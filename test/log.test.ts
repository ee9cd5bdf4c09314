import test from 'ava';
import winston from 'winston';
import { PassThrough } from 'node:stream';
import { configureLogger, logger, redact, redactText, registerSecret } from '../src/log.js';

test('values under secret-looking keys are masked at any depth, without touching the input', (t) => {
  const input = { user: 'alice', password: 'hunter22', nested: { Authorization: 'Bearer abc', list: [{ apiKey: 'k-123' }] } };
  const out = redact(input) as typeof input;
  t.is(out.user, 'alice');
  t.is(out.password, '[redacted]');
  t.is(out.nested.Authorization, '[redacted]');
  t.is(out.nested.list[0]?.apiKey, '[redacted]');
  t.is(input.password, 'hunter22');
});

test('a registered secret value is masked wherever it appears, in messages and fields', (t) => {
  registerSecret('s3cr3t-app-credential');
  t.is(redactText('auth with s3cr3t-app-credential failed'), 'auth with [redacted] failed');
  const out = redact({ detail: 'x s3cr3t-app-credential y', error: new Error('bad s3cr3t-app-credential') }) as Record<string, unknown>;
  t.is(out['detail'], 'x [redacted] y');
  t.deepEqual(out['error'], { name: 'Error', message: 'bad [redacted]' });
});

test('the process logger writes JSON lines with secrets masked', (t) => {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (d: Buffer) => (text += d.toString()));
  const transport = new winston.transports.Stream({ stream: sink });
  logger.add(transport);
  t.teardown(() => logger.remove(transport));
  configureLogger({ level: 'info', format: 'json' });
  registerSecret('tok-9f8e7d6c');
  logger.info('calling the hub with tok-9f8e7d6c', { token: 'tok-9f8e7d6c', url: 'http://127.0.0.1/?t=tok-9f8e7d6c' });
  const line = JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  t.is(line['message'], 'calling the hub with [redacted]');
  t.is(line['token'], '[redacted]');
  t.is(line['url'], 'http://127.0.0.1/?t=[redacted]');
  t.false(text.includes('tok-9f8e7d6c'));
});
