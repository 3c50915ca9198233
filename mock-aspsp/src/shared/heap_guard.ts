/**
 * Keeps the JavaScript heap near its live size. Under a steady stream of requests V8 lets the old
 * generation fill with garbage up to several times the live data before it collects (seen here:
 * 25 MB live, up to 170 MB of heap), which a long load test reads as memory growth. Once a second
 * this looks at the heap and, past the ceiling, runs a full collection; the ceiling then follows
 * the live size (twice it), so a bank that really holds more data (the memory store) is never
 * collected in a loop.
 */
import v8 from 'node:v8'
import vm from 'node:vm'

const MB = 1024 * 1024

/**
 * One look at the heap: collects when `heapUsed()` is past `ceiling`, and returns the next ceiling
 * (never below `floor`, else twice the live heap after the collection).
 */
export function collectIfAbove(ceiling: number, floor: number, heapUsed: () => number, gc: () => void): number {
  if (heapUsed() <= ceiling) return ceiling
  gc()
  return Math.max(floor, 2 * heapUsed())
}

export function startHeapGuard(ceilingMb: number): () => void {
  if (ceilingMb <= 0) return () => {}
  // The collector is reachable from a new context once the flag is set (no --expose-gc needed).
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  const floor = ceilingMb * MB
  let ceiling = floor
  const timer = setInterval(() => {
    ceiling = collectIfAbove(ceiling, floor, () => process.memoryUsage().heapUsed, gc)
  }, 1000)
  timer.unref()
  return () => clearInterval(timer)
}
