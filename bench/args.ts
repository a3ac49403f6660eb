// Command line of `npm run bench`. Pure (unit-tested): argv in, settings out.

export interface BenchArgs {
  quick: boolean
  /** Rounds per workload; contenders alternate inside each round. */
  rounds: number
  /** Measurement window of one throughput trial. */
  windowMs: number
  /** Load before the window, on the same fresh driver (connections, routing table, JIT). */
  warmupMs: number
  /** Leader stops per driver in the failover workload. */
  stops: number
  streamRows: number
  /** Workloads to run (ids, operations, 'stream', 'failover'; see workloads.ts); empty: all. */
  only: string[]
  /** Database named in every query; null: none, so clients resolve the home database. */
  database: string | null
  /** The fixture routes server-side and advertises `ssr.enabled` (its default, as Neo4j 5). */
  serverSideRouting: boolean
  /** Report path without extension; null: bench/results/latest (full) or bench/results/quick.*.tmp (quick). */
  out: string | null
}

export const USAGE = `Usage: npm run bench -- [options]
  --quick            CI smoke run (≤ 60 s): 1 round, short windows, 1 leader stop; checks only that
                     every workload produced numbers; writes bench/results/quick.{md,json}.tmp
  --rounds N         rounds per workload (default 5, quick 1)
  --seconds S        measurement window per trial (default 2, quick 0.3)
  --warmup S         warm-up before each window (default 0.5, quick 0.1)
  --stops N          leader stops per driver for failover (default 10, quick 1)
  --rows N           rows of the streaming query (default 100000, quick 20000)
  --only A,B         only these workloads: an id (read-return-1-c16), an operation at every
                     concurrency (read-match-10, write-merge, session-churn), stream, failover
  --database NAME    name the database in every query (default: none, the home database)
  --server-side-routing on|off
                     the fixture's server-side routing and its ssr.enabled hint (default on, as
                     Neo4j 5); with it on, the official driver caches the home database
                     (see the ROUTE / 1000 sessions column)
  --out PATH         write PATH.md and PATH.json (default bench/results/latest)`

export class UsageError extends Error {}

const FULL = { rounds: 5, windowMs: 2000, warmupMs: 500, stops: 10, streamRows: 100_000 }
const QUICK = { rounds: 1, windowMs: 300, warmupMs: 100, stops: 1, streamRows: 20_000 }

export function parseBenchArgs (argv: readonly string[]): BenchArgs {
  const quick = argv.includes('--quick')
  const args: BenchArgs = { quick, ...(quick ? QUICK : FULL), only: [], database: null, serverSideRouting: true, out: null }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    if (flag === '--quick') continue
    const value = argv[i + 1]
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value (or is unknown)`)
    i++
    switch (flag) {
      case '--rounds': args.rounds = positiveInteger(flag, value); break
      case '--seconds': args.windowMs = positiveSeconds(flag, value); break
      case '--warmup': args.warmupMs = positiveSeconds(flag, value); break
      case '--stops': args.stops = positiveInteger(flag, value); break
      case '--rows': args.streamRows = positiveInteger(flag, value); break
      case '--only': args.only = value.split(',').map((s) => s.trim()).filter((s) => s !== ''); break
      case '--database': args.database = value; break
      case '--server-side-routing':
        if (value !== 'on' && value !== 'off') throw new UsageError(`--server-side-routing must be on or off, got ${JSON.stringify(value)}`)
        args.serverSideRouting = value === 'on'
        break
      case '--out': args.out = value; break
      default: throw new UsageError(`unknown option ${flag}`)
    }
  }
  return args
}

function positiveInteger (flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`)
  return Number(value)
}

function positiveSeconds (flag: string, value: string): number {
  const seconds = Number(value)
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`${flag} must be a positive number of seconds, got ${JSON.stringify(value)}`)
  return Math.round(seconds * 1000)
}
