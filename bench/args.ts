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
  /**
   * Database named in every query (default neo4j: what a skeptic compares, and
   * the README's headline); null (`--database none`): no database named, so the
   * clients resolve the home database (its own, labelled report).
   */
  database: string | null
  /**
   * The fixture's server-side routing and its `ssr.enabled` hint (default on,
   * as Neo4j 5); 'both' runs everything once with each setting, each on a fresh
   * fixture, and adds a table comparing them.
   */
  serverSideRouting: SsrSetting
  /**
   * Report path without extension; null: bench/results/latest (named database),
   * bench/results/home (home database) or bench/results/quick.*.tmp (quick).
   */
  out: string | null
  /**
   * Profile mode (`--profile`): the workloads to profile (ids, or operations
   * at every concurrency); empty: no profiling, a normal run.
   */
  profile: string[]
  /** Profile mode: the contenders profiled (default ours and official). */
  profileContenders: string[]
  /** Profile mode: V8 sampling interval in µs. */
  profileIntervalUs: number
}

export type SsrSetting = 'on' | 'off' | 'both'

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
  --database NAME    the database every query names (default neo4j, the headline figures);
                     --database none names none: the clients resolve the home database (a
                     separate, labelled report, bench/results/home.md)
  --server-side-routing on|off|both
                     the fixture's server-side routing and its ssr.enabled hint (default on, as
                     Neo4j 5); with it on, the official driver caches the home database (see the
                     ROUTE / 1000 sessions column); both: one run with each setting, compared
  --profile A,B      profile mode: run workloads A, B (ids or operations, as --only) once per
                     contender for --seconds (default 10 here; warm-up 2) in a worker under the V8 CPU
                     profiler; writes the .cpuprofile files and a report of the top self-time
                     functions grouped by where they live (default bench/results/profile-latest);
                     stream: one caller streaming its query back to back, figures per 1,000 rows
  --contenders A,B   profile mode: ours, official, raw-tx, raw (default ours,official)
  --sample-us N      profile mode: sampling interval in µs (default 200)
  --out PATH         write PATH.md and PATH.json (default bench/results/latest, or home with
                     --database none, profile-latest with --profile)

  Home-database report, both server-side routing settings: npm run bench:home
  (= npm run bench -- --database none --server-side-routing both)`

export class UsageError extends Error {}

export const FULL = { rounds: 5, windowMs: 2000, warmupMs: 500, stops: 10, streamRows: 100_000 }
const QUICK = { rounds: 1, windowMs: 300, warmupMs: 100, stops: 1, streamRows: 20_000 }

export function parseBenchArgs (argv: readonly string[]): BenchArgs {
  const quick = argv.includes('--quick')
  const args: BenchArgs = {
    quick,
    ...(quick ? QUICK : FULL),
    only: [],
    database: 'neo4j',
    serverSideRouting: 'on',
    out: null,
    profile: [],
    profileContenders: ['ours', 'official'],
    profileIntervalUs: 200
  }
  let secondsGiven = false
  let warmupGiven = false
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    if (flag === '--quick') continue
    const value = argv[i + 1]
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value (or is unknown)`)
    i++
    switch (flag) {
      case '--rounds': args.rounds = positiveInteger(flag, value); break
      case '--seconds': args.windowMs = positiveSeconds(flag, value); secondsGiven = true; break
      case '--warmup': args.warmupMs = positiveSeconds(flag, value); warmupGiven = true; break
      case '--stops': args.stops = positiveInteger(flag, value); break
      case '--rows': args.streamRows = positiveInteger(flag, value); break
      case '--only': args.only = list(value); break
      case '--database': args.database = value === 'none' ? null : value; break
      case '--server-side-routing':
        if (value !== 'on' && value !== 'off' && value !== 'both') throw new UsageError(`--server-side-routing must be on, off or both, got ${JSON.stringify(value)}`)
        args.serverSideRouting = value
        break
      case '--profile': args.profile = list(value); break
      case '--contenders': {
        const contenders = list(value)
        const unknown = contenders.filter((c) => !['ours', 'official', 'raw-tx', 'raw'].includes(c))
        if (unknown.length > 0 || contenders.length === 0) throw new UsageError(`--contenders takes ours, official, raw-tx, raw; got ${JSON.stringify(value)}`)
        args.profileContenders = contenders
        break
      }
      case '--sample-us': args.profileIntervalUs = positiveInteger(flag, value); break
      case '--out': args.out = value; break
      default: throw new UsageError(`unknown option ${flag}`)
    }
  }
  if (args.profile.length > 0) {
    if (args.only.length > 0) throw new UsageError('--profile names its own workloads; --only does not go with it')
    // A profile needs thousands of samples per contender: 10 s unless told otherwise (quick: 1 s).
    if (!secondsGiven) args.windowMs = quick ? 1000 : 10_000
    // The JIT settles before the profile starts, so the profile shows the steady state.
    if (!warmupGiven) args.warmupMs = quick ? 200 : 2000
    if (args.serverSideRouting === 'both') throw new UsageError('--profile runs one fixture setting: --server-side-routing on or off')
  }
  return args
}

function list (value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '')
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
