import { pino, type Logger } from 'pino';

/** Default host logger: JSON lines on stderr, so stdout stays free for command output. */
export function createDefaultLogger(level = process.env.SUMMIT_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { name: 'summit-plugin-host' } }, pino.destination(2));
}
