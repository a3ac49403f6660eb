// Driver figures, ours beside the official neo4j-driver@6.3.0, in the same
// run on the same fixture cluster (3 primaries + 2 secondaries):
//
//   1. write pause after a leader stop: a write loop with executeWrite; at each
//      stop the pause is the longest gap between acknowledged writes from 1 s
//      before the stop until writes flow again. Median and max over N stops
//      (drivers alternate stop by stop, so both see the same conditions).
//   2. executeQuery read throughput with 32 concurrent callers.
//
//   node dist/bench/driver-figures.js [--stops 10] [--seconds 5] [--callers 32] [--quick] [--json out.json]
//
// Both drivers run with their default settings (retry budget 30 s, etc.).

import { writeFileSync } from 'node:fs'
import os from 'node:os'
import official from 'neo4j-driver'
import { startCluster, type Cluster } from '../cluster-fixture/index.js'
import ours, { CommitOutcomeUnknownError } from '../lib/index.js'

interface Args { stops: number, seconds: number, callers: number, json: string | undefined }

function parseArgs (argv: string[]): Args {
  const args: Args = { stops: 10, seconds: 5, callers: 32, json: undefined }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    if (flag === '--quick') { args.stops = 3; args.seconds = 2; continue }
    if (flag === '--json' && value !== undefined) { args.json = value; i++; continue }
    const key = flag?.replace(/^--/, '') as keyof Omit<Args, 'json'>
    if (['stops', 'seconds', 'callers'].includes(key) && value !== undefined && Number.isFinite(Number(value)) && Number(value) > 0) {
      args[key] = Number(value)
      i++
      continue
    }
    throw new Error(`unknown or malformed argument ${String(flag)}; use --stops N --seconds S --callers C --quick --json FILE`)
  }
  return args
}

/** The few calls both drivers share, so one harness measures both. */
interface BenchDriver {
  readonly label: string
  write: (run: string, id: number) => Promise<void>
  read: () => Promise<void>
  close: () => Promise<void>
}

const USER = 'neo4j'
const PASSWORD = 'password123'

function ourDriver (uri: string): BenchDriver {
  const d = ours.driver(uri, ours.auth.basic(USER, PASSWORD))
  return {
    label: 'neo4j-cluster-driver',
    write: async (run, id) => {
      const session = d.session({ database: 'neo4j' })
      try {
        await session.executeWrite(tx => tx.run('CREATE (:Ping {run: $run, id: $id})', { run, id: ours.int(id) }))
      } finally {
        await session.close()
      }
    },
    read: async () => { await d.executeQuery('MATCH (c:City) RETURN c.name AS name', {}, { database: 'neo4j', routing: 'READ' }) },
    close: async () => { await d.close() }
  }
}

function officialDriver (uri: string): BenchDriver {
  const d = official.driver(uri, official.auth.basic(USER, PASSWORD))
  return {
    label: 'neo4j-driver 6.3.0',
    write: async (run, id) => {
      const session = d.session({ database: 'neo4j' })
      try {
        await session.executeWrite(tx => tx.run('CREATE (:Ping {run: $run, id: $id})', { run, id: official.int(id) }))
      } finally {
        await session.close()
      }
    },
    read: async () => { await d.executeQuery('MATCH (c:City) RETURN c.name AS name', {}, { database: 'neo4j', routing: official.routing.READ }) },
    close: async () => { await d.close() }
  }
}

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

interface StopResult { pauseMs: number, errors: number, unknownOutcome: number, acked: number }

/** One leader stop under a running write loop; restarts the old leader afterwards. */
async function measureStop (cluster: Cluster, driver: BenchDriver, run: string): Promise<StopResult> {
  const acks: number[] = []
  let errors = 0
  let unknownOutcome = 0
  let running = true
  let id = 0
  const loop = (async () => {
    while (running) {
      try {
        await driver.write(run, id++)
        acks.push(performance.now())
      } catch (error) {
        // Ours reports a COMMIT cut by the stop instead of re-running it (the official driver re-runs it).
        if (error instanceof CommitOutcomeUnknownError) unknownOutcome++
        else errors++
      }
    }
  })()
  try {
    // Steady state first, so the gap before the stop is a normal one.
    const warm = Date.now() + 10_000
    while (acks.length < 20 && Date.now() < warm) await sleep(10)
    await sleep(300)
    const leader = await cluster.leader('neo4j')
    const stoppedAt = performance.now()
    await cluster.stop(leader)
    // Writes must flow again: 20 acknowledged writes after the stop (bounded).
    const bound = Date.now() + 60_000
    while (acks.filter(t => t > stoppedAt).length < 20 && Date.now() < bound) await sleep(10)
    running = false
    await loop
    const around = acks.filter(t => t >= stoppedAt - 1000)
    let pause = 0
    for (let i = 1; i < around.length; i++) pause = Math.max(pause, (around[i] as number) - (around[i - 1] as number))
    await cluster.start(leader)
    await cluster.leader('neo4j', 20_000)
    await sleep(500) // let the restarted member catch up before the next stop
    return { pauseMs: pause, errors, unknownOutcome, acked: acks.length }
  } finally {
    running = false
    await loop
  }
}

async function measureThroughput (driver: BenchDriver, callers: number, seconds: number): Promise<{ perSecond: number, errors: number }> {
  for (let i = 0; i < callers; i++) await driver.read() // warm the pools
  let done = 0
  let errors = 0
  const until = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(Array.from({ length: callers }, async () => {
    while (performance.now() < until) {
      try {
        await driver.read()
        done++
      } catch {
        errors++
      }
    }
  }))
  return { perSecond: done / ((performance.now() - started) / 1000), errors }
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

async function main (): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const cluster = await startCluster({ primaries: 3, secondaries: 2 })
  const drivers = [ourDriver(cluster.uri), officialDriver(cluster.uri)]
  const pauses = new Map<string, number[]>(drivers.map(d => [d.label, []]))
  const failures = new Map<string, number>(drivers.map(d => [d.label, 0]))
  const unknown = new Map<string, number>(drivers.map(d => [d.label, 0]))
  const duplicates = new Map<string, number>(drivers.map(d => [d.label, 0]))
  const throughput = new Map<string, { perSecond: number, errors: number }>()
  try {
    const setup = ours.driver(cluster.uri, ours.auth.basic(USER, PASSWORD))
    await setup.executeQuery('UNWIND $names AS n CREATE (:City {name: n})', { names: ['Singapore', 'Mumbai', 'Lagos', 'Lima'] }, { database: 'neo4j' })
    await setup.close()
    for (let stop = 1; stop <= args.stops; stop++) {
      for (const driver of drivers) {
        const result = await measureStop(cluster, driver, `${driver.label}-${stop}`)
        pauses.get(driver.label)?.push(result.pauseMs)
        failures.set(driver.label, (failures.get(driver.label) ?? 0) + result.errors)
        unknown.set(driver.label, (unknown.get(driver.label) ?? 0) + result.unknownOutcome)
        process.stderr.write(`stop ${stop}/${args.stops} ${driver.label}: pause ${Math.round(result.pauseMs)} ms, ` +
          `${result.errors} error(s), ${result.unknownOutcome} outcome-unknown\n`)
      }
    }
    // A write whose COMMIT was cut and then re-run blindly may exist twice.
    const check = ours.driver(cluster.uri, ours.auth.basic(USER, PASSWORD))
    const { records } = await check.executeQuery('MATCH (p:Ping) RETURN p.run AS run, p.id AS id, count(*) AS n', {}, { database: 'neo4j' })
    await check.close()
    for (const record of records) {
      if (ours.integer.toNumber(record.get('n')) < 2) continue
      const label = drivers.find(d => String(record.get('run')).startsWith(`${d.label}-`))?.label
      if (label !== undefined) duplicates.set(label, (duplicates.get(label) ?? 0) + 1)
    }
    for (const driver of drivers) throughput.set(driver.label, await measureThroughput(driver, args.callers, args.seconds))
  } finally {
    await Promise.allSettled(drivers.map(async d => await d.close()))
    await cluster.close()
  }

  const rows = drivers.map(d => {
    const p = pauses.get(d.label) ?? []
    const t = throughput.get(d.label)
    return {
      driver: d.label,
      stops: p.length,
      medianPauseMs: Math.round(median(p)),
      maxPauseMs: Math.round(Math.max(...p)),
      writeErrors: failures.get(d.label) ?? 0,
      outcomeUnknown: unknown.get(d.label) ?? 0,
      duplicatedWrites: duplicates.get(d.label) ?? 0,
      readsPerSecond: Math.round(t?.perSecond ?? 0),
      readErrors: t?.errors ?? 0
    }
  })
  const header = ['driver', 'stops', 'median pause ms', 'max pause ms', 'write errors', 'outcome unknown', 'duplicated', `reads/s (${args.callers} callers)`, 'read errors']
  const table = [header, ...rows.map(r => [r.driver, r.stops, r.medianPauseMs, r.maxPauseMs, r.writeErrors, r.outcomeUnknown, r.duplicatedWrites, r.readsPerSecond, r.readErrors].map(String))]
  const widths = header.map((_, i) => Math.max(...table.map(row => (row[i] ?? '').length)))
  const line = (row: string[]): string => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')
  console.log(`\nDriver figures on the fixture (3 primaries + 2 secondaries, election window 300–600 ms), ${os.cpus().length} CPU(s), Node ${process.version}`)
  console.log(line(header))
  console.log(widths.map(w => '-'.repeat(w)).join('-|-'))
  for (const row of table.slice(1)) console.log(line(row))
  if (args.json !== undefined) writeFileSync(args.json, JSON.stringify({ at: new Date().toISOString(), args, rows }, null, 2))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
