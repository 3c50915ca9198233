/**
 * A server's `--trace-gc-nvp` lines, counted per isolate as they come. The event loop's
 * isolate is the one that collected first (at start); worker threads (the store's checkpointer)
 * have isolates of their own.
 */
export class GcCounter {
  private main: string | undefined
  private partial = ''
  promoted = 0
  scavenges = 0
  markCompacts = 0
  pauseMs = 0
  feed(text: string): void {
    const lines = (this.partial + text).split('\n')
    this.partial = lines.pop() ?? ''
    for (const line of lines) {
      const isolate = /^\[\d+:(0x[0-9a-f]+)\]/.exec(line)?.[1]
      const kind = / gc=(\w+) /.exec(line)?.[1]
      if (!isolate || !kind) continue
      this.main ??= isolate
      if (isolate !== this.main) continue
      this.pauseMs += Number(/ pause=([\d.]+)/.exec(line)?.[1] ?? 0)
      if (kind === 's') {
        this.scavenges++
        this.promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0)
      } else if (kind === 'mc' || kind === 'ms') this.markCompacts++
    }
  }
  snapshot() {
    return {
      promoted: this.promoted,
      scavenges: this.scavenges,
      markCompacts: this.markCompacts,
      pauseMs: this.pauseMs,
    }
  }
}
