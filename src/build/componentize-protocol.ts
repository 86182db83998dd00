// Messages between the build's main side (componentizer.ts) and its worker thread.
export interface ComponentizeRequest {
  id: number;
  /** Only prepare: load the toolchain and splice the engine for these features (no output). */
  warmup?: boolean;
  /** Absolute path of the bundled JavaScript. */
  sourcePath: string;
  /** The name stack traces use for it. */
  sourceName: string;
  witPath: string;
  worldName: string;
  disableFeatures: string[];
}

export type ComponentizeReply =
  | { id: number; ok: true; component: Uint8Array; componentizeMs: number; spliceReused: boolean; steps: ComponentizeSteps }
  | { id: number; ok: false; message: string; missingToolchain: boolean };

/** Where a componentize call spent its time (ms): the Wizer child process and the WASI stubbing. */
export interface ComponentizeSteps {
  wizerMs: number;
  stubWasiMs: number;
  /** Where Wizer ran: in the componentize thread or as the binary (see wizer-in-process.ts). */
  wizer?: 'in-process' | 'process';
}
