// Results are neo4j-driver-core's Result (awaitable, async-iterable,
// subscribable; summary.server.address from the member that ran the query),
// fed by a Bolt stream observer. A failure before the stream exists becomes a
// FailedObserver, so an ignored Result never causes an unhandled rejection.

import { EagerResult, internal, Result, type ProtocolVersion, type Record as Neo4jRecord, type RecordShape } from 'neo4j-driver-core'
import { guardSubscribers } from './guarded-observer.js'
import { recordIterator, type PeekableIterator } from './record-iterator.js'

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
  fetchSize: number,
  /** The application called run() just now (false: the driver did, for executeQuery, so no frame of the application is on the stack). */
  applicationCall = true
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
  return withLazyCallSite(() => new StreamingResult(safeObserver, query as string, parameters, holder, marks), applicationCall)
}

/** Core's Result with a native record iterator (record-iterator.ts): `for await` streams at a fraction of the CPU. */
class StreamingResult<R extends RecordShape = RecordShape> extends Result<R> {
  override [Symbol.asyncIterator] (): PeekableIterator<Neo4jRecord<R>> {
    return recordIterator<Neo4jRecord<R>>(this as unknown as Result)
  }
}

/**
 * Core's Result records where it was created, so a query's error can point
 * at the application's run() call, but it captures ten frames and formats
 * them at once: one formatted stack per query, a sixth of a one-row query's
 * client CPU, for the rare query that fails. The frames are captured here
 * instead, only as deep as the application's call (run() is a few frames
 * above), and formatted only if an error needs them; executeQuery's own
 * query, which no application frame called, gets none (its error keeps the
 * stack of where it arose, and Node's async frames).
 */
const CALL_SITE_FRAMES = 6

/**
 * The captured frames, formatted when core appends them to an error's stack
 * (it concatenates `_stack` to a string, which calls toString). A plain field
 * holding this object, not a getter: an accessor with a closure made per
 * query gives each Result a hidden class of its own, which pins the query's
 * objects past young-generation collections.
 */
class LazyCallSite {
  private readonly site: Error
  constructor (site: Error) { this.site = site }
  toString (): string { return this.site.stack?.replace(/^Error\n?/, '') ?? '' }
}

/**
 * While core's Result captures its stack: with a stackTraceLimit that is not
 * a number, V8 records no stack at all, so core's `new Error()` walks no
 * frames and its `.stack` is undefined (core then keeps none): nothing is
 * walked or formatted, not even an empty trace.
 */
const NO_STACK_TRACE = undefined as unknown as number

function withLazyCallSite (create: () => Result, applicationCall: boolean): Result {
  const limit = Error.stackTraceLimit
  let result: Result
  let site: Error | undefined
  try {
    Error.stackTraceLimit = NO_STACK_TRACE
    result = create()
    // V8 walks the frames here and formats them only when the stack is first
    // read (LazyCallSite.toString, for an error).
    if (applicationCall) {
      Error.stackTraceLimit = Math.min(limit, CALL_SITE_FRAMES)
      site = new Error('')
    }
  } finally {
    Error.stackTraceLimit = limit
  }
  ;(result as unknown as { _stack: LazyCallSite | null })._stack = site === undefined ? null : new LazyCallSite(site)
  return result
}

/**
 * executeQuery's default result transformer: every record, the keys and the
 * summary as core's EagerResult, as resultTransformers.eager() gives them.
 * Ours because core's is compiled down to generator-based async code whose
 * objects outlived each query in young-generation collections (every
 * executeQuery's objects were promoted to the old generation, then freed
 * only by a full collection); native async/await does not.
 */
export async function collectEager<R extends RecordShape = RecordShape> (result: Result<R>): Promise<EagerResult<R>> {
  const { records, summary } = await result
  const keys = await result.keys()
  return new EagerResult<R>(keys, records, summary)
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
 * Stop a result's flow control from pausing its stream again: core's Result
 * pauses the stream while its buffer is over the high watermark, and
 * bolt-connection's stream observer stops pulling then. Reaches into both
 * (spec/unit/connection/bolt-internals-contract.spec.ts pins the fields).
 */
function unthrottle (result: Result, stream: ResultStreamObserver): void {
  const all = { high: Number.MAX_VALUE, low: Number.MAX_VALUE }
  ;(result as unknown as { _watermarks: Watermarks })._watermarks = all
  const observer = stream as unknown as { _highRecordWatermark: number, _lowRecordWatermark: number }
  observer._highRecordWatermark = all.high
  observer._lowRecordWatermark = all.low
}

/**
 * Let a result's stream run to its end into the result's own buffer: records
 * are pulled all at once from here on and kept until the application reads them.
 */
export function bufferRemainingRecords (result: Result, stream: ResultStreamObserver): void {
  unthrottle(result, stream)
  ;(stream as unknown as { _fetchSize: number })._fetchSize = FETCH_ALL
  stream.resume()
}

/**
 * End a result by discarding what the server has not sent yet, and wait for
 * its summary. A stream paused by a slow (or gone) consumer is resumed, and
 * kept from pausing again, so the DISCARD goes out: a paused stream sends
 * nothing, and would never end.
 */
export async function discardRest (result: Result, stream: Promise<ResultStreamObserver>): Promise<void> {
  if (!result.isOpen()) return
  const observer = await stream
  unthrottle(result, observer)
  observer.cancel()
  observer.resume()
  await result.summary()
}
