// What the CLI hands every command: the process's streams, injected (tests pass
// in-memory ones). A leaf: types only.

export interface Streams {
  /**
   * Reads stdin to its end, or to one byte past `maxBytes` (enough to tell that
   * it is over the budget; the caller reports it). Given no bound, reads all.
   */
  readonly readStdin: (maxBytes?: number) => Promise<Uint8Array | string>
  readonly stdout: { write(s: string): unknown }
  readonly stderr: { write(s: string): unknown }
}

/** A subcommand (src/commands/): the arguments after its name, the streams; the exit code. */
export type Command = (argv: readonly string[], streams: Streams) => Promise<number>
