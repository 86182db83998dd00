// summit:widget/host: the plug-in's own log, bounded per invocation by the log sink.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (level: LogLevel, message: string) => void;

const LEVELS = new Set<string>(['debug', 'info', 'warn', 'error']);

export function summitHost(sink: LogSink) {
  return {
    'summit:widget/host': {
      log(level: string, message: string): void {
        sink(LEVELS.has(level) ? (level as LogLevel) : 'info', String(message));
      },
    },
  };
}
