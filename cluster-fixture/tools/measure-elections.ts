// Measures how long the cluster fixture takes to elect a new leader after the
// leader of `neo4j` is stopped (default timings: election timeout 300–600 ms,
// heartbeat 100 ms). Two figures per stop, from the moment `stop` is called:
//   elected  – a running member leads neo4j in a newer term (Raft only);
//   writable – that leader has committed its term's no-op and takes writes
//              (what `cluster.leader()` waits for; what a driver needs).
// Usage: node dist/cluster-fixture/tools/measure-elections.js [--runs 25] [--json]
// Each stop is followed by a restart of the old leader and a short settle time.

import { parseArgs } from 'node:util'
import { startCluster, type Cluster } from '../cluster/index.js'

const POLL_MS = 1
const BOUND_MS = 10_000
const SETTLE_MS = 700

interface Sample { stopped: string, elected: string, electedMs: number, writableMs: number }

async function poll<T> (probe: () => T | null, boundMs: number): Promise<T> {
  const deadline = performance.now() + boundMs
  for (;;) {
    const value = probe()
    if (value !== null) return value
    if (performance.now() > deadline) throw new Error(`nothing within ${boundMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

function raftLeader (cluster: Cluster, excluding: string, minTerm: number): string | null {
  const row = cluster.databaseStatus('neo4j').find((r) =>
    r.raftRole === 'leader' && r.member !== excluding && r.memberState === 'running' && r.term > minTerm)
  return row?.member ?? null
}

async function measureOnce (cluster: Cluster): Promise<Sample> {
  const old = await cluster.leader('neo4j', BOUND_MS)
  const term = cluster.databaseStatus('neo4j').find((r) => r.member === old)!.term
  const start = performance.now()
  const stopping = cluster.stop(old)
  const elected = await poll(() => raftLeader(cluster, old, term), BOUND_MS)
  const electedMs = performance.now() - start
  const writable = await poll(() => {
    const row = cluster.databaseStatus('neo4j').find((r) => r.writable && r.memberState === 'running' && r.term > term)
    return row?.member ?? null
  }, BOUND_MS)
  const writableMs = performance.now() - start
  await stopping
  await cluster.start(old)
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
  return { stopped: old, elected: writable, electedMs, writableMs }
}

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
}

function summary (values: number[]): { median: number, p90: number, min: number, max: number } {
  const sorted = [...values].sort((a, b) => a - b)
  const round = (n: number): number => Math.round(n)
  return { median: round(percentile(sorted, 0.5)), p90: round(percentile(sorted, 0.9)), min: round(sorted[0]), max: round(sorted[sorted.length - 1]) }
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, json: { type: 'boolean' } } })
  const runs = Number(values.runs ?? 25)
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000) throw new Error('--runs must be an integer from 1 to 1000')
  const cluster = await startCluster({ primaries: 3, secondaries: 2 })
  const samples: Sample[] = []
  try {
    for (let i = 0; i < runs; i++) {
      const sample = await measureOnce(cluster)
      samples.push(sample)
      if (values.json !== true) {
        process.stdout.write(`stop ${String(i + 1).padStart(2)}: ${sample.stopped} → ${sample.elected}  elected ${Math.round(sample.electedMs)} ms, writable ${Math.round(sample.writableMs)} ms\n`)
      }
    }
  } finally {
    await cluster.close()
  }
  const report = {
    runs,
    settings: { electionTimeoutMs: cluster.options.electionTimeoutMs, heartbeatMs: cluster.options.heartbeatMs },
    electedMs: summary(samples.map((s) => s.electedMs)),
    writableMs: summary(samples.map((s) => s.writableMs))
  }
  process.stdout.write(values.json === true ? JSON.stringify(report) + '\n'
    : `\n${runs} leader stops (election timeout ${report.settings.electionTimeoutMs.join('–')} ms, heartbeat ${report.settings.heartbeatMs} ms)\n` +
      `  new leader elected:  median ${report.electedMs.median} ms, p90 ${report.electedMs.p90} ms, max ${report.electedMs.max} ms (min ${report.electedMs.min})\n` +
      `  ready for writes:    median ${report.writableMs.median} ms, p90 ${report.writableMs.p90} ms, max ${report.writableMs.max} ms (min ${report.writableMs.min})\n`)
}

main().catch((error: Error) => {
  process.stderr.write(`measure-elections: ${error.message}\n`)
  process.exit(1)
})
