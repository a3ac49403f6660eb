// Hostile servers: members that answer with garbage, cut answers, absurd sizes,
// a wrong protocol version or silence, and a fuzzer that corrupts the answer
// stream of thousands of connections at a random byte. The driver must raise a
// clear Neo4jError, discard the broken connection, never crash the process and
// never hang past its own timeouts; afterwards nothing is left in use.

import { expect } from 'chai'
import fc from 'fast-check'
import { startCluster, type Cluster, type HostileMode } from '../../cluster-fixture/index.js'
import neo4j, { Neo4jError, type Driver } from '../../lib/index.js'
import { MutatingProxy, type Mutation } from './support/mutating-proxy.js'

const AUTH = neo4j.auth.basic('neo4j', 'password123')
const MODES: HostileMode[] = ['garbage', 'truncate', 'absurd-size', 'wrong-version', 'silent-after-handshake']
/** Short timeouts so a silent server costs little; each operation must end within these (plus the watchdog's slack). */
const TIMEOUTS = { connectionTimeout: 500, receiveTimeout: 500, connectionAcquisitionTimeout: 3000 }
const WATCHDOG_MS = 10_000

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

/** Polls `check` for at most `boundMs`: the ms it took to hold, or null if it never did. */
async function within (boundMs: number, check: () => boolean): Promise<number | null> {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started >= boundMs) return null
    await sleep(10)
  }
  return Date.now() - started
}

/** Process-level failures while a test runs: an unhandled rejection or an uncaught exception is a crash. */
function crashRecorder (): { crashes: string[], stop: () => void } {
  const crashes: string[] = []
  const onRejection = (reason: unknown): void => { crashes.push(`unhandledRejection: ${String((reason as Error)?.stack ?? reason)}`) }
  const onException = (error: Error): void => { crashes.push(`uncaughtException: ${error.stack ?? error.message}`) }
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  return {
    crashes,
    stop: () => {
      process.off('unhandledRejection', onRejection)
      process.off('uncaughtException', onException)
    }
  }
}

type Outcome = { kind: 'ok' } | { kind: 'neo4j-error', error: Neo4jError } | { kind: 'other-error', error: unknown } | { kind: 'hang' }

async function outcomeOf (work: Promise<unknown>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined
  const watchdog = new Promise<Outcome>(resolve => { timer = setTimeout(() => resolve({ kind: 'hang' }), WATCHDOG_MS) })
  const done = work.then<Outcome, Outcome>(
    () => ({ kind: 'ok' }),
    (error: unknown) => error instanceof Neo4jError ? { kind: 'neo4j-error', error } : { kind: 'other-error', error })
  try {
    return await Promise.race([done, watchdog])
  } finally {
    clearTimeout(timer)
  }
}

describe('chaos: hostile servers', function () {
  this.timeout(180_000)
  let cluster: Cluster

  before(async () => { cluster = await startCluster({ primaries: 3, secondaries: 2 }) })
  after(async () => { await cluster?.close() })

  function setEverywhere (mode: HostileMode | null): void {
    for (const member of cluster.members()) cluster.setHostile(member.name, mode)
  }

  for (const mode of MODES) {
    it(`${mode} on every member: a clear error within the budget, no connection left in use, and recovery once it stops`, async () => {
      const recorder = crashRecorder()
      const d: Driver = neo4j.driver(cluster.uri, AUTH, { ...TIMEOUTS, maxTransactionRetryTime: 1000 })
      try {
        await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
        setEverywhere(mode)
        // Fresh sessions for both roles: established connections (some modes act on them) and new ones (wrong-version).
        const outcomes = [
          await outcomeOf(d.executeQuery('RETURN 1', {}, { database: 'neo4j', routing: 'READ' })),
          await outcomeOf(d.executeQuery('CREATE (:Hostile {mode: $mode})', { mode }, { database: 'neo4j' })),
          await outcomeOf((async () => { const s = d.session({ database: 'neo4j' }); try { await s.run('RETURN 2') } finally { await s.close() } })())
        ]
        for (const outcome of outcomes) {
          expect(outcome.kind, `${mode}: ${JSON.stringify(outcome)}`).to.not.be.oneOf(['hang', 'other-error'])
          if (outcome.kind === 'neo4j-error') expect(outcome.error.message.length).to.be.greaterThan(10)
        }
        // At least one of them must have met the hostile member (wrong-version only bites new connections).
        if (mode !== 'wrong-version') expect(outcomes.filter(o => o.kind === 'neo4j-error').length).to.be.greaterThan(0)
        expect(d.poolStats().inUse).to.equal(0)
        setEverywhere(null)
        await d.executeQuery('RETURN 1', {}, { database: 'neo4j', routing: 'READ' })
        await d.executeQuery('CREATE (:Hostile {mode: $mode, after: true})', { mode }, { database: 'neo4j' })
        expect(d.poolStats().inUse).to.equal(0)
      } finally {
        setEverywhere(null)
        await d.close()
        recorder.stop()
      }
      expect(recorder.crashes).to.deep.equal([])
    })
  }

  it('wrong-version with only new connections: a fresh driver fails clearly (naming the version) within the retry budget', async () => {
    const recorder = crashRecorder()
    setEverywhere('wrong-version')
    const d = neo4j.driver(cluster.uri, AUTH, { ...TIMEOUTS, maxTransactionRetryTime: 1000 })
    try {
      const outcome = await outcomeOf(d.executeQuery('RETURN 1', {}, { database: 'neo4j' }))
      expect(outcome.kind).to.equal('neo4j-error')
      if (outcome.kind === 'neo4j-error') expect(outcome.error.message).to.match(/9\.9|version/i)
      expect(d.poolStats().inUse).to.equal(0)
    } finally {
      setEverywhere(null)
      await d.close()
      recorder.stop()
    }
    expect(recorder.crashes).to.deep.equal([])
  })
})

// ---------------------------------------------------------------------------

/** Corruptions anywhere in the first few hundred bytes a member sends (handshake, HELLO/LOGON, BEGIN/RUN, records, COMMIT). */
function mutationArbitrary (streamLength: number): fc.Arbitrary<Mutation> {
  const offset = fc.integer({ min: 0, max: Math.max(8, streamLength + 16) })
  const bytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 })
  // Sizes and markers that mean something to a Bolt parser: chunk headers, 0x00 0x00, struct and string markers, huge lengths.
  const meaningful = fc.constantFrom([0x00, 0x00], [0xFF, 0xFF], [0x00, 0x01], [0xB1, 0x7F], [0xB3, 0x71], [0xD2, 0x7F, 0xFF, 0xFF, 0xFF],
    [0xDA, 0xFF, 0xFF, 0xFF, 0xFF], [0xC4, 0xC5], [0x00, 0x00, 0x09, 0x09], [0xCB, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), offset, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('cut-close' as const), offset }),
    fc.record({ kind: fc.constant('cut-stall' as const), offset }),
    fc.record({ kind: fc.constant('cut-reset' as const), offset }),
    fc.record({ kind: fc.constant('insert' as const), offset, bytes: fc.oneof(bytes, meaningful) }),
    fc.record({ kind: fc.constant('overwrite' as const), offset, bytes: fc.oneof(bytes, meaningful) })
  )
}

/** Codes of network-level failures: the connection that raised one is closed by bolt-connection itself. */
const CONNECTION_LEVEL_CODES = new Set(['SessionExpired', 'ServiceUnavailable'])

const OPERATIONS: Array<(d: Driver, i: number) => Promise<unknown>> = [
  async (d) => { const s = d.session(); try { return await s.run('RETURN 1 AS n') } finally { await s.close() } },
  async (d) => { const s = d.session({ defaultAccessMode: 'READ' }); try { return await s.executeRead(tx => tx.run('UNWIND range(1, 5) AS x RETURN x, "some text" AS t')) } finally { await s.close() } },
  async (d, i) => await d.executeQuery('CREATE (:Fuzz {case: $i}) RETURN 1', { i })
]

interface FuzzReport {
  tally: Record<Outcome['kind'], number>
  /** Must never happen: a hang, a crash, a connection left in use, a socket left open by close(). */
  problems: string[]
  /** Known driver defects (see spec/chaos/findings.spec.ts): a non-Neo4jError, a broken connection kept open. */
  defects: string[]
  slowestReleaseMs: number
}

async function fuzz (memberPort: number, cases: number, concurrency: number, seed: number): Promise<FuzzReport> {
  // Measure an honest stream first, so corruptions land inside it.
  const probe = await MutatingProxy.start(memberPort, null)
  const probeDriver = neo4j.driver(`bolt://127.0.0.1:${probe.port}`, AUTH, TIMEOUTS)
  for (const [i, op] of OPERATIONS.entries()) await op(probeDriver, -1 - i)
  await probeDriver.close()
  await probe.close()
  expect(probe.firstStreamLength).to.be.greaterThan(50)

  const mutations = fc.sample(mutationArbitrary(probe.firstStreamLength), { numRuns: cases, seed })
  const report: FuzzReport = { tally: { ok: 0, 'neo4j-error': 0, 'other-error': 0, hang: 0 }, problems: [], defects: [], slowestReleaseMs: 0 }
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < mutations.length) {
      const i = next++
      const mutation = mutations[i] as Mutation
      const label = `case ${i} ${JSON.stringify(mutation)}`
      const proxy = await MutatingProxy.start(memberPort, mutation)
      const d = neo4j.driver(`bolt://127.0.0.1:${proxy.port}`, AUTH, { ...TIMEOUTS, maxTransactionRetryTime: 0 })
      try {
        const outcome = await outcomeOf((OPERATIONS[i % OPERATIONS.length] as (d: Driver, i: number) => Promise<unknown>)(d, i))
        report.tally[outcome.kind]++
        if (outcome.kind === 'hang') report.problems.push(`${label}: no outcome within ${WATCHDOG_MS} ms`)
        if (outcome.kind === 'other-error') report.defects.push(`${label}: not a Neo4jError: ${String((outcome.error as Error)?.stack ?? outcome.error)}`)
        // Given back: nothing stays in use once the operation has ended (bounded wait: a release may trail the error).
        const releasedIn = await within(3000, () => d.poolStats().inUse === 0)
        if (releasedIn === null) report.problems.push(`${label}: ${d.poolStats().inUse} connection(s) still in use 3 s after the operation ended`)
        else report.slowestReleaseMs = Math.max(report.slowestReleaseMs, releasedIn)
        // Discarded: the connection that broke the protocol is closed, not pooled (after a server FAILURE it may stay).
        // Not asked of SessionExpired/ServiceUnavailable: those only ever come from a connection that is already
        // closed, and the corrupted one may be a bystander — a bolt:// driver's second connection (its one-off
        // cluster probe) can take a harmless corruption (a flipped bit inside an address of its ROUTE answer) and
        // stay pooled while the operation times out on the fixture's write lock, which 24 workers share.
        if (outcome.kind === 'neo4j-error' && !outcome.error.code.startsWith('Neo.') && !CONNECTION_LEVEL_CODES.has(outcome.error.code) &&
          proxy.mutationApplied && await within(3000, () => !proxy.corruptedSocketOpen()) === null) {
          report.defects.push(`${label}: the corrupted connection is still open 3 s after ${outcome.error.code}: ${conciseMessage(outcome.error.message)}`)
        }
      } finally {
        await d.close()
        // close() must leave no socket behind (bounded wait for the FINs to arrive).
        if (await within(2000, () => proxy.openClientSockets() === 0) === null) {
          report.problems.push(`${label}: ${proxy.openClientSockets()} socket(s) left open after close()`)
        }
        await proxy.close()
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return report
}

/** The message's head and, when it wraps a cause ("… Caused by: …"), the cause: what a defect report needs. */
function conciseMessage (message: string): string {
  const cause = message.lastIndexOf('Caused by: ')
  return cause < 0 ? message.slice(0, 300) : `${message.slice(0, 80)} … ${message.slice(cause, cause + 220)}`
}

const listed = (lines: string[]): string => `${lines.length}:\n${lines.slice(0, 20).join('\n')}`

describe('chaos: fuzzed answer streams (thousands of corrupted connections)', function () {
  this.timeout(240_000)
  const CASES = 2000
  let cluster: Cluster
  let memberPort: number

  before(async () => {
    cluster = await startCluster({ primaries: 1, secondaries: 0 })
    memberPort = Number(cluster.members()[0]?.address.split(':')[1])
  })
  after(async () => { await cluster?.close() })

  it(`${CASES} corrupted streams: each ends within the timeouts, never crashes the process, leaves nothing in use and no socket open after close()`, async () => {
    const recorder = crashRecorder()
    let report: FuzzReport
    try {
      report = await fuzz(memberPort, CASES, 24, 4242)
    } finally {
      recorder.stop()
    }
    expect(recorder.crashes).to.deep.equal([])
    expect(report.problems.length, `problems ${listed(report.problems)}`).to.equal(0)
    // The fuzzer really broke things, and really let some through.
    expect(report.tally['neo4j-error'], JSON.stringify(report.tally)).to.be.greaterThan(CASES / 4)
    expect(report.tally.ok, JSON.stringify(report.tally)).to.be.greaterThan(0)
    // The member itself survived all of it.
    const d = neo4j.driver(`bolt://${cluster.members()[0]?.address ?? ''}`, AUTH)
    try {
      expect((await d.executeQuery('RETURN 1 AS n')).records[0]?.get('n').toNumber()).to.equal(1)
    } finally {
      await d.close()
    }
  })

  // Once a finding (spec/chaos/findings.spec.ts has the minimal reproductions): corruptions surfaced as raw
  // RangeError/TypeError, and a connection whose answer failed validation went back to the pool. Another seed
  // than the test above, so the two cover 4 000 different corrupted streams.
  it(`${CASES} corrupted streams, strict: every failure is a Neo4jError and the broken connection is discarded`, async () => {
    const report = await fuzz(memberPort, CASES, 24, 4243)
    expect(report.problems.length, `problems ${listed(report.problems)}`).to.equal(0)
    expect(report.defects.length, `defects ${listed(report.defects)}`).to.equal(0)
  })
})
