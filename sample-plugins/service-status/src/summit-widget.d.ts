// Types for the host interface of the summit:widget world (wit/widget.wit).
declare module 'summit:widget/host@0.1.0' {
  export type Level = 'debug' | 'info' | 'warn' | 'error';
  export function log(level: Level, message: string): void;
}
