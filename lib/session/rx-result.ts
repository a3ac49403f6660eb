// RxResult: one query's outcome as rxjs Observables, shaped like the official
// driver's. The query runs when something first subscribes (keys(),
// records() or consume()) and never twice. Records are pulled one at a time
// from core's Result async iterator, which owns flow control: when the
// application stops taking records (pause(), or a subscriber still busy with
// the last one), the iterator's buffer fills to the high watermark and the
// Bolt stream is paused — no more PULLs — until it drains below the low one.

import type { Record, RecordShape, Result, ResultSummary } from 'neo4j-driver-core'
import { illegalState } from '../errors.js'
import { defer, from, map, mergeMap, Observable, of, ReplaySubject, throwError, type Subscriber } from 'rxjs'

type Stage = 'ready' | 'streaming' | 'completed'

type Started<R extends RecordShape> = { result: Result<R> } | { error: unknown }

export class RxResult<R extends RecordShape = RecordShape> {
  private readonly start: () => Result<R>
  private started: Started<R> | undefined
  private stage: Stage = 'ready'
  private readonly summarySubject = new ReplaySubject<ResultSummary>(1)
  /** The records being pushed to a records() subscriber, while streaming. */
  private stream: { iterator: AsyncIterator<Record<R>, ResultSummary>, subscriber: Subscriber<Record<R>>, result: Result<R> } | undefined
  private paused = false
  private pushing = false

  /** @internal RxResults come from RxSession/RxTransaction/RxManagedTransaction run(). */
  constructor (start: () => Result<R>) {
    this.start = start
  }

  /** The result's column names (runs the query if nothing did yet). */
  keys (): Observable<string[]> {
    return this.result().pipe(mergeMap(result => from(result.keys())))
  }

  /**
   * The records, as fast as the subscriber takes them; pause() / resume()
   * hold and restart the flow (the server stops streaming while held). One
   * records() subscription per result: a later one fails, as in the official driver.
   */
  records (): Observable<Record<R>> {
    return this.result().pipe(mergeMap(result => new Observable<Record<R>>(subscriber => {
      if (this.stage !== 'ready') {
        subscriber.error(illegalState('Streaming has already started/consumed with a previous records or summary subscription.'))
        return
      }
      this.stage = 'streaming'
      this.stream = { iterator: result[Symbol.asyncIterator](), subscriber, result }
      void this.pump()
      return () => {
        // Unsubscribed before the end: the rest of the stream is discarded
        // (DISCARD), and the summary still comes for consume().
        if (this.stage !== 'streaming') return
        result._cancel()
        result.summary().then(summary => { this.complete(summary) }, (error: unknown) => { this.failed(error) })
      }
    })))
  }

  /** The summary once the stream has ended; without a records() subscription the records are discarded unread. */
  consume (): Observable<ResultSummary> {
    return this.result().pipe(mergeMap(result => {
      if (this.stage === 'ready') {
        this.stage = 'streaming'
        result._cancel()
        result.summary().then(summary => { this.complete(summary) }, (error: unknown) => { this.failed(error) })
      }
      return this.summarySubject
    }))
  }

  /** Stop pushing records to the records() subscriber (the server is paused once the driver's buffer is full). */
  pause (): void {
    this.paused = true
  }

  /** Push records again; resolves once the next one was pushed (or the stream ended). */
  async resume (): Promise<void> {
    const wasPaused = this.paused
    this.paused = false
    if (wasPaused) await this.pump()
  }

  /** Pause, and push exactly one record (manual pull); resolves once it was pushed. */
  async push (): Promise<void> {
    this.paused = true
    await this.pump()
  }

  /** @internal The result as an Observable of a fresh RxResult over it (the official driver's internal shape). */
  _toObservable (): Observable<RxResult<R>> {
    return this.result().pipe(map(result => new RxResult<R>(() => result)))
  }

  /** Runs the query on first use, once; every later use sees the same Result (or the same error). */
  private result (): Observable<Result<R>> {
    return defer(() => {
      if (this.started === undefined) {
        try {
          this.started = { result: this.start() }
        } catch (error) {
          this.started = { error }
        }
      }
      const started = this.started
      return 'result' in started ? of(started.result) : throwError(() => started.error)
    })
  }

  /**
   * Push the next record, then keep pushing in the background while not
   * paused. Resolves after the first push (or at the end of the stream).
   */
  private async pump (): Promise<void> {
    if (this.pushing || this.stream === undefined) return
    this.pushing = true
    const first = this.pushOne()
    void (async () => {
      try {
        let more = await first
        while (more && !this.paused) more = await this.pushOne()
      } finally {
        this.pushing = false
      }
    })()
    await first
  }

  /** One record to the subscriber, or the end of the stream; false when there is nothing more to push. */
  private async pushOne (): Promise<boolean> {
    const stream = this.stream
    if (stream === undefined || stream.subscriber.closed) return false
    try {
      const next = await stream.iterator.next()
      if (next.done === true) {
        this.complete(await stream.result.summary())
        stream.subscriber.complete()
        return false
      }
      stream.subscriber.next(next.value)
      return !stream.subscriber.closed
    } catch (error) {
      this.failed(error)
      stream.subscriber.error(error)
      return false
    }
  }

  private complete (summary: ResultSummary): void {
    if (!this.finish()) return
    this.summarySubject.next(summary)
    this.summarySubject.complete()
  }

  private failed (error: unknown): void {
    if (this.finish()) this.summarySubject.error(error)
  }

  /** The stream is over (whichever way): false when it already was (the summary is told once). */
  private finish (): boolean {
    if (this.stage === 'completed') return false
    this.stage = 'completed'
    this.stream = undefined
    return true
  }
}
