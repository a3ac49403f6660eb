// The benchmark workloads and the Cypher they run. Every contender runs the
// same query with the same parameters; only the client differs.

/**
 * `write-merge-pipelined`: the same MERGE, with our opt-in transaction option
 * pipelineBegin (the work is called without waiting for BEGIN's answer). The
 * official driver has no such option: it runs its default executeWrite there.
 */
export type OpKind = 'read-return-1' | 'read-match-10' | 'write-merge' | 'write-merge-pipelined' | 'session-churn'

/** Workloads where our driver runs with an opt-in setting, not its defaults: reported apart, never counted in the goals. */
export function isOptIn (op: OpKind): boolean {
  return op === 'write-merge-pipelined'
}

export interface ThroughputWorkload {
  kind: 'throughput'
  id: string
  title: string
  op: OpKind
  concurrency: number
}

export interface StreamWorkload {
  kind: 'stream'
  id: string
  title: string
  rows: number
}

export type Workload = ThroughputWorkload | StreamWorkload

export const QUERIES = {
  return1: 'RETURN 1 AS n',
  match10: 'MATCH (n:BenchItem) RETURN n.i AS i, n.name AS name',
  /** Keys repeat (see mergeKey), so the graph stays small however long the run. */
  merge: 'MERGE (n:BenchKey {key: $key}) SET n.v = $v',
  stream: 'UNWIND range(1, $rows) AS i RETURN i',
  seed: "UNWIND range(0, 9) AS i CREATE (:BenchItem {i: i, name: 'item ' + toString(i)})",
  seedCount: 'MATCH (n:BenchItem) RETURN count(n) AS c'
} as const

/** Rows the 10-row MATCH must return (a contender that gets fewer is wrong, and the op counts as an error). */
export const MATCH_ROWS = 10
const MERGE_KEYS = 1000

/** A contender's MERGE key: its own key space, so contenders never touch each other's nodes. */
export function mergeKey (contender: string, seq: number): string {
  return `${contender}-${seq % MERGE_KEYS}`
}

const throughput = (op: OpKind, concurrency: number, title: string): ThroughputWorkload =>
  ({ kind: 'throughput', id: `${op}-c${concurrency}`, title: `${title}, concurrency ${concurrency}`, op, concurrency })

/** Workloads 1–4 of the issue (5 and 6, failover and cost, are measured around these). */
export function allWorkloads (streamRows: number): Workload[] {
  return [
    throughput('read-return-1', 1, 'executeQuery read `RETURN 1`'),
    throughput('read-return-1', 16, 'executeQuery read `RETURN 1`'),
    throughput('read-return-1', 128, 'executeQuery read `RETURN 1`'),
    throughput('read-match-10', 1, 'executeQuery read 10-row MATCH'),
    throughput('read-match-10', 16, 'executeQuery read 10-row MATCH'),
    throughput('read-match-10', 128, 'executeQuery read 10-row MATCH'),
    throughput('write-merge', 1, 'executeWrite MERGE'),
    throughput('write-merge', 16, 'executeWrite MERGE'),
    throughput('write-merge-pipelined', 1, 'executeWrite MERGE, ours with opt-in `pipelineBegin` (official: its default)'),
    throughput('write-merge-pipelined', 16, 'executeWrite MERGE, ours with opt-in `pipelineBegin` (official: its default)'),
    throughput('session-churn', 16, 'session open + executeRead + close'),
    { kind: 'stream', id: 'stream', title: `streaming ${streamRows.toLocaleString('en-US')} rows per query`, rows: streamRows }
  ]
}

/** Whether `filter` names this workload: its id (read-match-10-c16), its op (read-match-10, every concurrency) or its kind (stream). */
export function workloadMatches (workload: Workload, filter: string): boolean {
  return workload.id === filter || workload.kind === filter || (workload.kind === 'throughput' && workload.op === filter)
}

/** The workloads named by any of the filters (all when there are none). */
export function selectWorkloads (workloads: readonly Workload[], filters: readonly string[]): Workload[] {
  if (filters.length === 0) return [...workloads]
  return workloads.filter((w) => filters.some((f) => workloadMatches(w, f)))
}

/** Whether the failover workload runs: with no filters, or when one is 'failover'. */
export function failoverSelected (filters: readonly string[]): boolean {
  return filters.length === 0 || filters.includes('failover')
}

/** Filters that name nothing (a typo should stop the run, not silently measure less). */
export function unknownFilters (workloads: readonly Workload[], filters: readonly string[]): string[] {
  return filters.filter((f) => f !== 'failover' && !workloads.some((w) => workloadMatches(w, f)))
}
