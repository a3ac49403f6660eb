// `for await (const record of result)`: the way to stream a large result.
// Core's Result implements its iterator with code compiled down to
// generator-based async functions: three generator-driven promises and a
// generator object per record, and they were most of a streaming client's
// CPU. This iterator keeps core's behaviour (flow control on the same
// watermarks, peek, return, the record mapper, errors from the stream) with
// one native promise per record.

import { error as coreErrors, newError, type Result, type ResultSummary } from 'neo4j-driver-core'

/** The iterator core's Result returns: an AsyncIterator that can also look at the next element. */
export interface PeekableIterator<T> extends AsyncIterator<T, ResultSummary> {
  peek: () => Promise<IteratorResult<T, ResultSummary>>
}

/** What the iterator uses of core's Result (pinned in spec/unit/connection/bolt-internals-contract.spec.ts). */
interface CoreResult {
  isOpen: () => boolean
  _subscribe: (observer: QueueObserver, paused: boolean) => Promise<StreamControl>
  /** Flow control's bounds on buffered records (results.ts watermarks()). */
  _watermarks: { high: number, low: number }
  _mapper: ((record: unknown) => unknown) | null | undefined
}

/** The Bolt stream's flow control, as core's Result hands it to its subscribers. */
interface StreamControl {
  pause: () => void
  resume: () => void
  cancel: () => void
}

interface QueueObserver {
  onNext: (record: unknown) => void
  onCompleted: (summary: ResultSummary) => void
  onError: (error: Error) => void
}

type Entry<T> = IteratorResult<T, ResultSummary> | Error

interface Waiter<T> {
  resolve: (entry: IteratorResult<T, ResultSummary>) => void
  reject: (error: Error) => void
  /** A peek leaves what it sees in the queue. */
  peek: boolean
}

/** Compact the queue's consumed front once it is this long (and over half the array). */
const COMPACT_AFTER = 1024

export function recordIterator<T> (result: Result): PeekableIterator<T> {
  const core = result as unknown as CoreResult
  if (!core.isOpen()) {
    const consumed = newError('Result is already consumed')
    return { next: () => Promise.reject(consumed), peek: () => Promise.reject(consumed) }
  }
  return new RecordQueue<T>(core)
}

class RecordQueue<T> implements PeekableIterator<T>, QueueObserver {
  private readonly result: CoreResult
  /** Records, then the summary or an error, in arrival order; entries before `head` are consumed. */
  private queue: Array<Entry<T>> = []
  private head = 0
  private waiter: Waiter<T> | null = null
  private stream: StreamControl | undefined
  private subscribed = false
  private paused = true
  private firstRun = true
  private finished = false
  private summary: ResultSummary | undefined
  /** The stream's error once a caller was given it: every later call gets it too. */
  private failure: Error | undefined

  constructor (result: CoreResult) {
    this.result = result
  }

  next (): Promise<IteratorResult<T, ResultSummary>> {
    if (this.finished) return this.done(undefined)
    if (this.failure !== undefined) return Promise.reject(this.failure)
    this.subscribe()
    if (this.head < this.queue.length) return this.settle(this.take())
    return this.wait(false)
  }

  peek (): Promise<IteratorResult<T, ResultSummary>> {
    if (this.finished) return this.done(undefined)
    if (this.failure !== undefined) return Promise.reject(this.failure)
    this.subscribe()
    if (this.head < this.queue.length) return this.settle(this.queue[this.head] as Entry<T>)
    return this.wait(true)
  }

  /** Stop early (a `break` out of `for await`): the rest of the stream is discarded, its summary awaited. */
  async return (value?: ResultSummary): Promise<IteratorResult<T, ResultSummary>> {
    if (this.finished) return await this.done(value)
    this.stream?.cancel()
    let last = await this.next()
    while (last.done !== true) last = await this.next()
    // As core's: the value given to return() stands for the summary from here on.
    this.summary = value ?? last.value
    return { done: true, value: this.summary }
  }

  onNext (record: unknown): void {
    const mapper = this.result._mapper
    this.push({ done: false, value: (mapper != null ? mapper(record) : record) as T })
  }

  onCompleted (summary: ResultSummary): void {
    this.push({ done: true, value: summary })
  }

  onError (error: Error): void {
    this.push(error)
  }

  private subscribe (): void {
    if (this.subscribed) return
    this.subscribed = true
    // Paused until the first flow-control decision, as core's iterator; a
    // stream that failed to start reports its error through onError.
    this.result._subscribe(this, true).then((stream) => {
      this.stream = stream
      this.flowControl()
    }, () => {})
  }

  private push (entry: Entry<T>): void {
    const waiter = this.waiter
    this.waiter = null
    // A next() waiting takes the entry; a peek() sees it and leaves it queued.
    const handedOver = waiter !== null && !waiter.peek
    if (handedOver) this.account(entry)
    else this.queue.push(entry)
    if (waiter !== null) {
      if (entry instanceof Error) waiter.reject(entry)
      else waiter.resolve(entry)
    }
    // A hand-over leaves the queue as it was: nothing new for flow control to decide (as core's).
    if (!handedOver) this.flowControl()
  }

  private take (): Entry<T> {
    const entry = this.queue[this.head++] as Entry<T>
    if (this.head === this.queue.length) {
      this.queue.length = 0
      this.head = 0
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
    this.flowControl()
    this.account(entry)
    return entry
  }

  /** Note what a caller is handed: the end of the stream, or its error. */
  private account (entry: Entry<T>): void {
    if (entry instanceof Error) {
      this.failure = entry
    } else if (entry.done === true) {
      this.finished = true
      this.summary = entry.value
    }
  }

  private settle (entry: Entry<T>): Promise<IteratorResult<T, ResultSummary>> {
    return entry instanceof Error ? Promise.reject(entry) : Promise.resolve(entry)
  }

  private wait (peek: boolean): Promise<IteratorResult<T, ResultSummary>> {
    return new Promise((resolve, reject) => { this.waiter = { resolve, reject, peek } })
  }

  private done (value: ResultSummary | undefined): Promise<IteratorResult<T, ResultSummary>> {
    if (this.summary === undefined) {
      return Promise.reject(newError('InvalidState: Result stream finished without Summary', coreErrors.PROTOCOL_ERROR))
    }
    return Promise.resolve({ done: true, value: value ?? this.summary })
  }

  /** Core's flow control: pause the stream at the high watermark, resume at the low one (and at the start). */
  private flowControl (): void {
    const stream = this.stream
    if (stream === undefined) return
    const size = this.queue.length - this.head
    const { high, low } = this.result._watermarks
    if (size >= high && !this.paused) {
      this.paused = true
      stream.pause()
    } else if ((size <= low && this.paused) || (this.firstRun && size < high)) {
      this.firstRun = false
      this.paused = false
      stream.resume()
    }
  }
}
