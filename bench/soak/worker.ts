// Soak worker: one driver (ours or the official one, default configuration)
// in its own process, running a paced churn of executeQuery / executeRead /
// executeWrite with a fresh session per transaction, and answering samples of
// its own process: memory, open client sockets, ref'ed handles and timers.
// Requests (see ../ipc.ts):
//
//   open {driver, uri, user, password, database}
//   start {callers, ratePerSecond}
//   sample {gc}                → SoakSample
//   first-write-after {at}     → epoch ms of the first write acknowledged after `at`, or null
//   stop {timeoutMs}           → whether every caller finished its operation in time
//   close                      closes the driver
//   exit

import diagnosticsChannel from 'node:diagnostics_channel'
import type { Socket } from 'node:net'
import { serve } from '../ipc.js'
import { epochNow } from '../measure.js'
import type { SoakDriver, SoakOpenRequest, SoakSample, SoakStartRequest } from './protocol.js'

// Every client socket this process opens, ref'ed or not (process.getActiveResourcesInfo()
// only lists ref'ed handles): net.connect publishes each new socket here.
const openSockets = new Set<Socket>()
let socketsOpened = 0
diagnosticsChannel.subscribe('net.client.socket', (message) => {
  const socket = (message as { socket: Socket }).socket
  socketsOpened++
  openSockets.add(socket)
  socket.once('close', () => { openSockets.delete(socket) })
})

interface DriverLike {
  executeQuery: (query: string, parameters?: Record<string, unknown>, config?: Record<string, unknown>) => Promise<{ records: unknown[] }>
  session: (config: Record<string, unknown>) => {
    executeRead: <T>(work: (tx: TxLike) => Promise<T>) => Promise<T>
    executeWrite: <T>(work: (tx: TxLike) => Promise<T>, config?: Record<string, unknown>) => Promise<T>
    close: () => Promise<void>
  }
  close: () => Promise<void>
}
interface TxLike { run: (query: string, parameters?: Record<string, unknown>) => PromiseLike<{ records: unknown[] }> }
interface ModuleLike {
  driver: (uri: string, auth: unknown) => DriverLike
  auth: { basic: (user: string, password: string) => unknown }
  int: (n: number) => unknown
}

const QUERY = {
  read: 'RETURN 1 AS n',
  count: 'MATCH (n:SoakKey) RETURN count(n) AS c',
  merge: 'MERGE (n:SoakKey {key: $key}) SET n.v = $v'
} as const
/** MERGE keys repeat, so the graph stays small however long the soak. */
const KEYS = 500
/** Acknowledged writes remembered (for first-write-after); a few minutes' worth at the default rate. */
const WRITE_RING = 50_000

let driverName: SoakDriver | null = null
let neo4j: ModuleLike | null = null
let driver: DriverLike | null = null
let database = 'neo4j'
let running = false
let callers: Array<Promise<void>> = []
/** Pacing sleeps in flight: the harness's own timers, subtracted from the timer count. */
let harnessTimers = 0
const counts = { ok: 0, failed: 0, byKind: {} as Record<string, { ok: number, failed: number }>, errors: {} as Record<string, number> }
let inFlight = 0
const writeAcks: number[] = []

const sleep = async (ms: number): Promise<void> => {
  harnessTimers++
  try {
    await new Promise((resolve) => setTimeout(resolve, ms))
  } finally {
    harnessTimers--
  }
}

function current (): { d: DriverLike, m: ModuleLike, name: SoakDriver } {
  if (driver === null || neo4j === null || driverName === null) throw new Error('no driver is open')
  return { d: driver, m: neo4j, name: driverName }
}

type Kind = 'executeQuery read' | 'executeQuery write' | 'executeRead' | 'executeWrite'
const KINDS: readonly Kind[] = ['executeQuery read', 'executeRead', 'executeQuery write', 'executeWrite']

async function operation (kind: Kind, seq: number): Promise<void> {
  const { d, m, name } = current()
  const merge = { key: `${name}-${seq % KEYS}`, v: m.int(seq) }
  // Ours: the MERGE is idempotent and says so, so a commit with an unknown outcome is retried (as the official driver does unasked).
  const writeConfig = name === 'ours' ? { idempotent: true } : undefined
  switch (kind) {
    case 'executeQuery read': {
      const { records } = await d.executeQuery(QUERY.read, {}, { database, routing: 'READ' })
      if (records.length !== 1) throw new Error(`expected 1 row, got ${records.length}`)
      return
    }
    case 'executeQuery write':
      await d.executeQuery(QUERY.merge, merge, name === 'ours' ? { database, transactionConfig: { idempotent: true } } : { database })
      ackWrite()
      return
    case 'executeRead': {
      const session = d.session({ database, defaultAccessMode: 'READ' })
      try {
        await session.executeRead(async (tx) => await tx.run(QUERY.count))
      } finally {
        await session.close()
      }
      return
    }
    case 'executeWrite': {
      const session = d.session({ database, defaultAccessMode: 'WRITE' })
      try {
        await session.executeWrite(async (tx) => await tx.run(QUERY.merge, merge), writeConfig)
      } finally {
        await session.close()
      }
      ackWrite()
    }
  }
}

function ackWrite (): void {
  writeAcks.push(epochNow())
  if (writeAcks.length > WRITE_RING) writeAcks.splice(0, writeAcks.length - WRITE_RING)
}

function errorCode (error: unknown): string {
  const e = error as { code?: unknown, name?: unknown } | null
  return typeof e?.code === 'string' && e.code !== '' ? e.code : typeof e?.name === 'string' ? e.name : 'unknown'
}

let nextSeq = 0

async function caller (index: number, periodMs: number): Promise<void> {
  let next = performance.now()
  for (let round = 0; running; round++) {
    // Each caller goes through every kind in turn, the callers staggered.
    const kind = KINDS[(index + round) % KINDS.length]
    inFlight++
    try {
      await operation(kind, nextSeq++)
      counts.ok++
      ;(counts.byKind[kind] ??= { ok: 0, failed: 0 }).ok++
    } catch (error) {
      counts.failed++
      ;(counts.byKind[kind] ??= { ok: 0, failed: 0 }).failed++
      const code = errorCode(error)
      counts.errors[code] = (counts.errors[code] ?? 0) + 1
    } finally {
      inFlight--
    }
    // Paced, not closed-loop: the soak is about what accumulates, not how fast. Behind schedule: no burst to catch up.
    next = Math.max(next + periodMs, performance.now())
    const wait = next - performance.now()
    if (wait > 0 && running) await sleep(wait)
  }
}

function gc (): void {
  (globalThis as { gc?: () => void }).gc?.()
}

function sample (collect: boolean): SoakSample {
  if (collect) gc()
  const memory = process.memoryUsage()
  const resources: Record<string, number> = {}
  for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1
  const timers = resources.Timeout ?? 0
  const handles = Object.values(resources).reduce((a, b) => a + b, 0)
  return {
    at: epochNow(),
    afterGc: collect,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    sockets: openSockets.size,
    socketsOpened,
    resources,
    // The harness's own: its pacing timers and the IPC channel to the runner (a Pipe).
    handles: handles - harnessTimers - (resources.PipeWrap ?? 0),
    timers: Math.max(0, timers - harnessTimers),
    ok: counts.ok,
    failed: counts.failed,
    byKind: structuredClone(counts.byKind),
    errors: { ...counts.errors },
    inFlight
  }
}

serve({
  open: async (request: SoakOpenRequest) => {
    if (driver !== null) throw new Error('a driver is already open')
    driverName = request.driver
    neo4j = (request.driver === 'ours' ? (await import('../../lib/index.js')).default : (await import('neo4j-driver')).default) as unknown as ModuleLike
    database = request.database
    // Default configuration: a soak measures what an application that sets nothing gets.
    driver = neo4j.driver(request.uri, neo4j.auth.basic(request.user, request.password))
    return null
  },
  start: async ({ callers: n, ratePerSecond }: SoakStartRequest) => {
    if (running) throw new Error('already running')
    current()
    running = true
    const periodMs = 1000 * n / ratePerSecond
    callers = Array.from({ length: n }, async (_, i) => { await caller(i, periodMs) })
    return null
  },
  sample: async ({ gc: collect }: { gc: boolean }) => sample(collect),
  'first-write-after': async ({ at }: { at: number }) => writeAcks.find((t) => t > at) ?? null,
  stop: async ({ timeoutMs }: { timeoutMs: number }) => {
    running = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const done = await Promise.race([
      Promise.all(callers).then(() => true),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs) })
    ])
    clearTimeout(timer)
    callers = []
    return done
  },
  close: async () => {
    const d = driver
    driver = null
    await d?.close()
    return null
  }
}, async () => {
  running = false
  await driver?.close()
})
