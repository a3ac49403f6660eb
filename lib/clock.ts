// The clock the driver's timing logic reads: the current time and timers. The
// system clock by default; tests (and a conformance backend declaring
// Backend:MockTime) can inject their own through the internal, test-only
// `config.clock` option, so pool idle times, lifetimes, liveness checks,
// routing-table expiry and the unresponsive-member probe can be exercised
// without waiting. `now()` is read for every deadline too, so a clock must
// never go backwards; real time plus an offset that only grows is the safe
// shape. Timeouts that bound network I/O (connect, ping, RESET, ROUTE) stay on
// real timers: a paused fake clock must not be able to hang a socket wait.

export interface DriverClock {
  /** ms; only differences are used (Date.now by default). */
  now: () => number
  setTimeout: (callback: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

/** setTimeout's limit; longer waits are treated as "never". */
export const MAX_TIMER_MS = 2 ** 31 - 1

export const systemClock: DriverClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, Math.min(Math.max(0, ms), MAX_TIMER_MS)),
  clearTimeout: (handle) => { clearTimeout(handle as NodeJS.Timeout) }
}

export function isDriverClock (value: unknown): value is DriverClock {
  if (value === null || typeof value !== 'object') return false
  const c = value as Record<string, unknown>
  return typeof c.now === 'function' && typeof c.setTimeout === 'function' && typeof c.clearTimeout === 'function'
}

/**
 * `work`'s outcome, or `onTimeout()`'s once `ms` have passed on `clock`,
 * whichever comes first: every bounded wait in the driver goes through here,
 * so the timer is always cleared and "no bound" is spelled one way. `ms` at
 * or beyond MAX_TIMER_MS (Infinity included) sets no timer at all. A throw
 * from `onTimeout` rejects (a timeout error); a value resolves (a fallback).
 * Waits on network I/O pass `systemClock` (see above: a paused test clock
 * must not hang a socket); the rest pass the driver's clock.
 */
export async function withTimeout<T> (clock: DriverClock, work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  if (!(ms < MAX_TIMER_MS)) return await work
  let timer: unknown
  const expired = new Promise<T>((resolve, reject) => {
    timer = clock.setTimeout(() => {
      try { resolve(onTimeout()) } catch (error) { reject(error) }
    }, Math.max(0, ms))
  })
  try {
    return await Promise.race([work, expired])
  } finally {
    clock.clearTimeout(timer)
  }
}

/** Wait `ms` on `clock`; an abort `signal` ends the wait early (resolves, never rejects). */
export async function sleep (clock: DriverClock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return
  await new Promise<void>(resolve => {
    const timer = clock.setTimeout(done, ms)
    function done (): void { clock.clearTimeout(timer); signal?.removeEventListener('abort', done); resolve() }
    signal?.addEventListener('abort', done, { once: true })
  })
}
