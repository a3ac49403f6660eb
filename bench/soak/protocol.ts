// What the soak runner and its driver workers say to each other, and the raw
// record of a soak run (written as JSON beside the report).

export type SoakDriver = 'ours' | 'official'

export interface SoakOpenRequest {
  driver: SoakDriver
  uri: string
  user: string
  password: string
  database: string
}

export interface SoakStartRequest { callers: number, ratePerSecond: number }

export interface SoakSample {
  /** epochNow() of the sample. */
  at: number
  /** Taken right after a full GC (heapUsed is then the live heap). */
  afterGc: boolean
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
  arrayBuffers: number
  /** Client sockets open in the worker (every one net.connect made, ref'ed or not, until it closed). */
  sockets: number
  /** Client sockets opened since the worker started. */
  socketsOpened: number
  /** process.getActiveResourcesInfo() by type (ref'ed handles, requests and timers only). */
  resources: Record<string, number>
  /** Ref'ed handles and requests, less the harness's own (pacing timers, the IPC pipe). */
  handles: number
  /** Ref'ed timers (Timeout), less the harness's pacing timers. */
  timers: number
  /** Operations since start. */
  ok: number
  failed: number
  byKind: Record<string, { ok: number, failed: number }>
  /** Failed operations by error code, since start. */
  errors: Record<string, number>
  inFlight: number
}

export type FaultKind = 'leader stop' | 'black hole'

export interface FaultRecord {
  minute: number
  kind: FaultKind
  member: string
  /** epochNow() when the fault was injected and when it was healed (restart / heal). */
  at: number
  healedAt: number
  /** Per driver: what happened around this fault. */
  by: Partial<Record<SoakDriver, FaultEffect>>
}

export interface FaultEffect {
  /** Sample just before the fault. */
  before: SoakSample
  /** What "back" means for this fault: the larger of the baseline's and the pre-fault sample's counts (before the allowance). */
  reference: Counts
  /** Largest socket / handle / timer counts seen from the fault until settled. */
  peak: Counts
  /** The first write acknowledged after the fault, ms after it (null: none before the minute ended). */
  writePauseMs: number | null
  /** ms after the heal when sockets, handles and timers were back within reference + allowance and a write had succeeded (null: not within the bound). */
  settledAfterMs: number | null
  /** The sample that counted as settled, or the last one taken. */
  settled: SoakSample
}

export interface MinuteRecord {
  minute: number
  /** Samples every second (no GC) over the minute. */
  samples: SoakSample[]
  /** At the minute's end, after a full GC. */
  end: SoakSample
}

export interface Counts { sockets: number, handles: number, timers: number }

export interface SoakBaseline extends Counts {
  /** Live heap and RSS after a GC at the end of the baseline window. */
  heapUsed: number
  rss: number
}

export interface DriverSoak {
  driver: SoakDriver
  label: string
  baseline: SoakBaseline
  minutes: MinuteRecord[]
  /** After the churn stopped, before the driver closed (after GC). */
  stopped: SoakSample
  /** After driver.close() (after GC): every socket of the driver should be gone. */
  closed: SoakSample
  /** Whether every caller's last operation finished within the stop bound. */
  drained: boolean
}

export interface SoakSettings {
  minutes: number
  callers: number
  ratePerSecond: number
  warmupMs: number
  /** Within a minute: when each fault starts and how long it is held (ms). */
  schedule: { leaderStopAtMs: number, blackholeAtMs: number, holdMs: number }
  /** Allowance over the reference counts for "back to baseline" (after a fault, and at minute ends). */
  slack: Counts
  /** Memory growth allowed after minute 1 (0.10: 10 %). */
  memoryTolerance: number
  database: string
}

export interface SoakRun {
  startedAt: string
  finishedAt: string
  command: string
  machine: Record<string, unknown>
  settings: SoakSettings
  cluster: { primaries: number, secondaries: number, serverSideRouting: boolean }
  drivers: DriverSoak[]
  faults: FaultRecord[]
  problems: string[]
}
