import pino, { type Logger } from 'pino';
import { authRedactPaths } from './http/auth/index.ts';

/** Never written to logs, wherever they appear in a logged object. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers["x-coupa-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-coupa-api-key"]',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'client_secret',
  '*.client_secret',
  'token',
  '*.token',
  'key',
  '*.key',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: [...new Set([...redactPaths, ...authRedactPaths])], censor: '[redacted]' }, base: { service: 'workgate' } }, destination);
}

export type { Logger };
