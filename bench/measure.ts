// Closed-loop load with a fixed window, and resource sampling. The loop logic
// is unit-tested with fake operations (spec/bench/harness.spec.ts).
//
// `concurrency` callers each run one operation at a time, back to back, until
// the window closes. Only operations that complete inside the window count
// toward throughput; the CPU figure is taken at the same instant, so CPU per
// operation pairs the same interval. Operations still running when the window
// closes are awaited (bounded), so the next trial starts from quiet.
//
// On a slow or overloaded machine a short window could end before the first
// operations complete (128 callers, 300 ms): the window then stays open until
// `minOps` operations have completed (bounded by `maxDurationMs`), so every
// trial yields a figure; ops / elapsed stays an honest rate either way.

export interface LoopOptions {
  concurrency: number
  durationMs: number
  /** The window stays open past durationMs until this many operations completed (default 1). */
  minOps?: number
  /** Hard limit of the window whatever minOps says (default durationMs + 30 s). */
  maxDurationMs?: number
  /** One operation; `worker` is 0..concurrency-1, `seq` unique within the loop. */
  op: (worker: number, seq: number) => Promise<unknown>
  /** How long to wait for operations still running after the window (default 30 s). */
  drainTimeoutMs?: number
  /** Pause after a failed operation, so an instantly failing client cannot spin (default 10 ms). */
  errorPauseMs?: number
}

export interface LoopResult {
  /** Operations completed inside the window. */
  ops: number
  /** Failed operations inside the window. */
  errors: number
  /** Operations completed at all (window + drain): the divisor for per-operation wire counts. */
  opsTotal: number
  /** Length of the window as measured. */
  elapsedMs: number
  /** Client CPU (user + system) during the window, in µs. */
  cpuMicros: number
  /** The first failure's message (failures are counted, never thrown). */
  firstError: string | null
  /** False when operations were still running when the drain bound passed. */
  drained: boolean
}

export async function closedLoop (options: LoopOptions): Promise<LoopResult> {
  const { concurrency, durationMs, op } = options
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`)
  if (!(durationMs > 0)) throw new RangeError(`durationMs must be positive, got ${durationMs}`)
  const drainTimeoutMs = options.drainTimeoutMs ?? 30_000
  const minOps = options.minOps ?? 1
  const maxDurationMs = Math.max(durationMs, options.maxDurationMs ?? durationMs + 30_000)
  const errorPauseMs = options.errorPauseMs ?? 10
  let open = true
  let ops = 0
  let errors = 0
  let opsTotal = 0
  let seq = 0
  let firstError: string | null = null
  let elapsedMs = 0
  let cpuMicros = 0

  const cpuStart = process.cpuUsage()
  const started = performance.now()
  const closeWindow = (): void => {
    if (!open) return
    open = false
    elapsedMs = performance.now() - started
    const cpu = process.cpuUsage(cpuStart)
    cpuMicros = cpu.user + cpu.system
  }
  let durationPassed = false
  const timer = setTimeout(() => {
    durationPassed = true
    if (ops >= minOps) closeWindow()
  }, durationMs)
  const hardStop = setTimeout(closeWindow, maxDurationMs)

  const caller = async (worker: number): Promise<void> => {
    while (open) {
      try {
        await op(worker, seq++)
        opsTotal++
        if (open) {
          ops++
          if (durationPassed && ops >= minOps) closeWindow()
        }
      } catch (error) {
        if (open) {
          errors++
          firstError ??= error instanceof Error ? error.message : String(error)
          await new Promise((resolve) => setTimeout(resolve, errorPauseMs))
        }
      }
    }
  }
  const callers = Promise.all(Array.from({ length: concurrency }, async (_, worker) => { await caller(worker) }))
  // The window closes on its timer; a caller still running then finishes its operation (bounded below).
  const drained = await boundedWait(callers, maxDurationMs + drainTimeoutMs)
  clearTimeout(timer)
  clearTimeout(hardStop)
  closeWindow()
  return { ops, errors, opsTotal, elapsedMs, cpuMicros, firstError, drained }
}

/** Rows that make one operation when a stream is profiled: a row's cost is a fraction of a µs. */
export const ROWS_PER_STREAM_OP = 1_000

/**
 * One caller streaming a `rows`-row query back to back for the window, where
 * an operation is ROWS_PER_STREAM_OP rows (profile mode's streaming
 * workload): ops and opsTotal count thousands of rows, so per-operation
 * figures are per 1,000 rows. A query that gives another number of rows fails.
 */
export async function streamLoop (stream: (rows: number) => Promise<number>, rows: number, durationMs: number): Promise<LoopResult> {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows must be a positive integer, got ${rows}`)
  const result = await closedLoop({
    concurrency: 1,
    durationMs,
    op: async () => {
      const received = await stream(rows)
      if (received !== rows) throw new Error(`expected ${rows} rows, got ${received}`)
    }
  })
  const opsPerQuery = rows / ROWS_PER_STREAM_OP
  return { ...result, ops: result.ops * opsPerQuery, opsTotal: result.opsTotal * opsPerQuery }
}

/** Resolves true when `promise` settles within `ms`, false otherwise (never rejects). */
export async function boundedWait (promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms) })
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout])
  } finally {
    clearTimeout(timer)
  }
}

export interface MemoryPeaks {
  /** Highest V8 heapUsed seen while sampling. */
  peakHeapBytes: number
  /** Highest resident set size seen while sampling. */
  peakRssBytes: number
}

/** Samples heap and RSS every `intervalMs` until stopped; the peaks include a sample at start and at stop. */
export function sampleMemory (intervalMs: number): { stop: () => MemoryPeaks } {
  const peaks: MemoryPeaks = { peakHeapBytes: 0, peakRssBytes: 0 }
  const sample = (): void => {
    const usage = process.memoryUsage()
    if (usage.heapUsed > peaks.peakHeapBytes) peaks.peakHeapBytes = usage.heapUsed
    if (usage.rss > peaks.peakRssBytes) peaks.peakRssBytes = usage.rss
  }
  sample()
  const timer = setInterval(sample, intervalMs)
  return {
    stop: () => {
      clearInterval(timer)
      sample()
      return { ...peaks }
    }
  }
}

/** Milliseconds since the epoch with sub-millisecond resolution, comparable across processes on one machine. */
export function epochNow (): number {
  return performance.timeOrigin + performance.now()
}
