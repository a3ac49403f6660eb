// Results are neo4j-driver-core's Result (awaitable, async-iterable,
// subscribable; summary.server.address from the member that ran the query),
// fed by a Bolt stream observer. A failure before the stream exists becomes a
// FailedObserver, so an ignored Result never causes an unhandled rejection.

import { internal, Result, type ProtocolVersion } from 'neo4j-driver-core'
import { guardSubscribers } from './guarded-observer.js'

type ResultStreamObserver = internal.observer.ResultStreamObserver
type ConnectionHolder = internal.connectionHolder.ConnectionHolder

const { FailedObserver } = internal.observer
const { FETCH_ALL } = internal.constants

export interface ResultConnection {
  getProtocolVersion: () => ProtocolVersion
}

export interface Watermarks { high: number, low: number }

/** The official driver's flow control: stop pulling above 70 % of fetchSize buffered, resume below 30 %. */
export function watermarks (fetchSize: number): Watermarks {
  if (fetchSize === FETCH_ALL || fetchSize <= 0) return { high: Number.MAX_VALUE, low: Number.MAX_VALUE }
  return { high: Math.floor(fetchSize * 0.7), low: Math.floor(fetchSize * 0.3) }
}

export function createResult (
  observer: Promise<ResultStreamObserver>,
  query: unknown,
  parameters: unknown,
  connection: Promise<ResultConnection | null>,
  fetchSize: number
): Result {
  // guardSubscribers: a consumer's exception (e.g. a mapping rule) fails that consumer, not the connection.
  const safeObserver = observer.then(guardSubscribers, (error: Error) => new FailedObserver({ error }) as ResultStreamObserver)
  const safeConnection = connection.catch(() => null)
  // Core's Result only asks its holder for the connection (for the protocol
  // version in the summary) and to release it; our sessions release
  // connections themselves when the stream ends, so release is a no-op here.
  const holder = {
    getConnection: async () => await safeConnection,
    releaseConnection: async () => null,
    close: async () => null
  } as unknown as ConnectionHolder
  const marks = watermarks(fetchSize)
  return new Result(safeObserver, query as string, parameters, holder, marks)
}

/** Wait for a single-response observer (BEGIN, COMMIT, ROLLBACK) to finish. */
export async function settle (observer: ResultStreamObserver): Promise<Record<string, unknown>> {
  return await new Promise((resolve, reject) => {
    observer.subscribe({
      onCompleted: (metadata: unknown) => resolve((metadata ?? {}) as Record<string, unknown>),
      onError: (error: Error) => reject(error)
    })
  })
}

/**
 * Let a result's stream run to its end into the result's own buffer: records
 * are pulled all at once from here on and kept until the application reads
 * them. Reaches into core's Result (its watermarks, which would pause the
 * stream again) and bolt-connection's stream observer (fetch size and
 * watermarks); spec/unit/connection/bolt-internals-contract.spec.ts pins both.
 */
export function bufferRemainingRecords (result: Result, stream: ResultStreamObserver): void {
  const all = { high: Number.MAX_VALUE, low: Number.MAX_VALUE }
  ;(result as unknown as { _watermarks: Watermarks })._watermarks = all
  const observer = stream as unknown as { _fetchSize: number, _highRecordWatermark: number, _lowRecordWatermark: number }
  observer._fetchSize = FETCH_ALL
  observer._highRecordWatermark = all.high
  observer._lowRecordWatermark = all.low
  stream.resume()
}

/**
 * End a stream early: DISCARD what the server still holds. cancel() alone
 * never sends it for a stream whose consumer paused it (an iterator that
 * stopped reading) while a PULL was in flight: the answer's records pause it
 * again, and a paused stream waits. Once cancelled it is not paused any more.
 */
export function discardRest (observer: ResultStreamObserver): void {
  observer.pause = () => {}
  observer.cancel()
  observer.resume()
}
