// The concurrent workload of a chaos run, recorded per operation with
// timestamps: writers (executeWrite CREATE, and MERGE marked idempotent),
// readers that carry the writers' bookmarks and check read-your-writes and
// monotonic reads, and executeQuery one-liners (a write, then a read of it).
//
// Every write has a unique id. Readers look for the latest acknowledged write
// they know of (it must be visible: read-your-writes) and count the run's
// nodes (the count must never go down along a reader's causal chain, since
// nodes are only ever added: monotonic reads).

import type { AttemptCounter, DriverAdapter, WriteStatement } from './adapters.js'

export type OpKind = 'write-create' | 'write-merge' | 'query-write' | 'read' | 'query-read'

export const WRITE_KINDS: readonly OpKind[] = ['write-create', 'write-merge', 'query-write']

export interface OpError {
  readonly name: string
  readonly code: string | undefined
  readonly message: string
}

export interface OpRecord {
  readonly kind: OpKind
  readonly actor: string
  /** The write's id, or the id a read looked for. */
  readonly id: number
  /** ms on the run's clock. */
  readonly start: number
  readonly end: number
  /** 'unknown': the driver said the commit may or may not have happened. */
  readonly outcome: 'ok' | 'unknown' | 'error'
  readonly attempts: number
  /** For writes: the statement (CREATE, or MERGE which a retry cannot duplicate). */
  readonly statement?: WriteStatement
  readonly error?: OpError
  /** Reads: what was seen, and whether it broke read-your-writes or monotonic reads. */
  readonly total?: number
  readonly mine?: number
  readonly address?: string
  readonly rywViolation?: boolean
  readonly monotonicViolation?: boolean
}

export interface WorkloadPlan {
  /** executeWrite CREATE writers. */
  createWriters: number
  /** executeWrite MERGE writers, marked idempotent. */
  mergeWriters: number
  /** executeRead readers carrying the writers' bookmarks. */
  readers: number
  /** executeQuery loops: a write one-liner, then a read one-liner of it. */
  oneLiners: number
  /** What the one-liner loops write. */
  oneLinerStatement: WriteStatement
  /** Pause between one actor's operations, ms (0: back to back). */
  thinkMs: number
}

export const DEFAULT_PLAN: WorkloadPlan = { createWriters: 2, mergeWriters: 2, readers: 2, oneLiners: 1, oneLinerStatement: 'create', thinkMs: 0 }

export interface InFlight { readonly actor: string, readonly kind: OpKind, readonly id: number, readonly start: number }

export interface WorkloadOutcome {
  readonly records: OpRecord[]
  /** Operations still running when the stop grace ran out (a hang). */
  readonly hung: InFlight[]
}

export interface Workload {
  /** Tells every actor to stop after its current operation; waits at most `graceMs` for them. */
  stop: (graceMs: number) => Promise<WorkloadOutcome>
  /** Acknowledged writes so far (cheap; for scenarios that wait for progress). */
  acknowledged: () => number
}

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

function describeError (error: unknown): OpError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return { name: error.name, code: typeof code === 'string' ? code : undefined, message: error.message }
  }
  return { name: typeof error, code: undefined, message: String(error) }
}

/** Starts the actors at once; they run until stop(). `now` is the run's clock (ms). */
export function startWorkload (adapter: DriverAdapter, run: string, plan: WorkloadPlan, now: () => number): Workload {
  const records: OpRecord[] = []
  const inFlight = new Map<string, InFlight>()
  let running = true
  let nextId = 1
  let acked = 0
  /** The latest acknowledged write with its bookmarks: what readers must see. */
  let latest: { id: number, bookmarks: string[] } | null = null

  async function timed<T> (actor: string, kind: OpKind, id: number, op: (counter: AttemptCounter) => Promise<T>):
  Promise<{ value?: T, error?: unknown, start: number, end: number, attempts: number }> {
    const counter: AttemptCounter = { attempts: 0 }
    const start = now()
    inFlight.set(actor, { actor, kind, id, start })
    try {
      const value = await op(counter)
      return { value, start, end: now(), attempts: counter.attempts }
    } catch (error) {
      return { error: error ?? new Error('undefined thrown'), start, end: now(), attempts: counter.attempts }
    } finally {
      inFlight.delete(actor)
    }
  }

  function recordWrite (actor: string, kind: OpKind, statement: WriteStatement, id: number,
    result: { error?: unknown, start: number, end: number, attempts: number }): boolean {
    const outcome = result.error === undefined ? 'ok' : adapter.isCommitOutcomeUnknown(result.error) ? 'unknown' : 'error'
    records.push({
      kind, actor, id, start: result.start, end: result.end, outcome, attempts: result.attempts, statement,
      ...(result.error !== undefined ? { error: describeError(result.error) } : {})
    })
    if (outcome === 'ok') acked++
    return outcome === 'ok'
  }

  async function writer (actor: string, statement: WriteStatement): Promise<void> {
    const kind: OpKind = statement === 'create' ? 'write-create' : 'write-merge'
    while (running) {
      const id = nextId++
      const result = await timed(actor, kind, id, async counter => await adapter.write(statement, run, id, counter))
      // Readers chase the write acknowledged last in time (ids are not acknowledged in order).
      if (recordWrite(actor, kind, statement, id, result) && result.value !== undefined) latest = { id, bookmarks: result.value }
      if (plan.thinkMs > 0) await sleep(plan.thinkMs)
    }
  }

  async function reader (actor: string): Promise<void> {
    let own: string[] = []
    let highestTotal = -1
    while (running) {
      const target = latest
      if (target === null) { await sleep(10); continue }
      const bookmarks = [...new Set([...own, ...target.bookmarks])]
      const result = await timed(actor, 'read', target.id, async counter => await adapter.read(run, target.id, bookmarks, counter))
      if (result.value !== undefined) {
        const seen = result.value
        const monotonicViolation = seen.total < highestTotal
        highestTotal = Math.max(highestTotal, seen.total)
        own = seen.bookmarks
        records.push({
          kind: 'read', actor, id: target.id, start: result.start, end: result.end, outcome: 'ok', attempts: result.attempts,
          total: seen.total, mine: seen.mine, address: seen.address, rywViolation: seen.mine < 1, monotonicViolation
        })
      } else {
        records.push({ kind: 'read', actor, id: target.id, start: result.start, end: result.end, outcome: 'error', attempts: result.attempts, error: describeError(result.error) })
      }
      if (plan.thinkMs > 0) await sleep(plan.thinkMs)
    }
  }

  async function oneLiner (actor: string): Promise<void> {
    while (running) {
      const id = nextId++
      const write = await timed(actor, 'query-write', id, async counter => { await adapter.queryWrite(plan.oneLinerStatement, run, id, counter) })
      if (recordWrite(actor, 'query-write', plan.oneLinerStatement, id, write)) {
        // The driver's own bookmark manager must carry the write into this read.
        const read = await timed(actor, 'query-read', id, async counter => await adapter.queryRead(run, id, counter))
        records.push(read.value !== undefined
          ? { kind: 'query-read', actor, id, start: read.start, end: read.end, outcome: 'ok', attempts: read.attempts, mine: read.value, rywViolation: read.value < 1 }
          : { kind: 'query-read', actor, id, start: read.start, end: read.end, outcome: 'error', attempts: read.attempts, error: describeError(read.error) })
      }
      if (plan.thinkMs > 0) await sleep(plan.thinkMs)
    }
  }

  const actors: Array<Promise<void>> = [
    ...Array.from({ length: plan.createWriters }, async (_, i) => await writer(`create-${i + 1}`, 'create')),
    ...Array.from({ length: plan.mergeWriters }, async (_, i) => await writer(`merge-${i + 1}`, 'merge')),
    ...Array.from({ length: plan.readers }, async (_, i) => await reader(`reader-${i + 1}`)),
    ...Array.from({ length: plan.oneLiners }, async (_, i) => await oneLiner(`query-${i + 1}`))
  ]
  const all = Promise.all(actors)

  return {
    acknowledged: () => acked,
    stop: async (graceMs) => {
      running = false
      let timer: NodeJS.Timeout | undefined
      const finished = await Promise.race([
        all.then(() => true),
        new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(false), graceMs) })
      ])
      clearTimeout(timer)
      return { records: [...records].sort((a, b) => a.end - b.end), hung: finished ? [] : [...inFlight.values()] }
    }
  }
}
