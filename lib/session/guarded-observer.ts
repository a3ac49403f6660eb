// A record consumer that throws — a record-object-mapping rule rejecting a
// value (resultTransformers.hydrated, Result.as), an application's onNext —
// must get that exception as its result's error, as in the official driver.
// Left alone it would escape into bolt-connection's message dispatch, which
// takes any exception there for an undecodable stream: the connection would
// be killed and its healthy member reported as faulty (ProtocolError) and
// forgotten. Here the consumer is failed instead, the rest of its stream is
// discarded (DISCARD), and the connection ends the query cleanly.

import type { internal } from 'neo4j-driver-core'

type ResultStreamObserver = internal.observer.ResultStreamObserver
type Subscriber = Parameters<ResultStreamObserver['subscribe']>[0]

/**
 * Wrap the stream's subscribe so each subscriber's exceptions fail that
 * subscriber only. Returns the same observer. The replacement is a bound
 * function, not a closure made per stream: a closure stored on the observer
 * kept each query's objects alive through young-generation collections
 * (promoted, then freed only by a full collection), a bound function does not.
 */
export function guardSubscribers (stream: ResultStreamObserver): ResultStreamObserver {
  stream.subscribe = guardedSubscribe.bind(undefined, stream, stream.subscribe.bind(stream))
  return stream
}

function guardedSubscribe (stream: ResultStreamObserver, subscribe: (subscriber: Subscriber) => void, subscriber: Subscriber): void {
  let failed = false
  const fail = (error: unknown): void => {
    failed = true
    stream.cancel()
    subscriber.onError?.(error as Error)
  }
  // Only the callbacks the subscriber has: the stream hands its buffered
  // records to the first subscriber with an onNext, so adding one to a
  // subscriber that has none (Result.keys()) would swallow them (the stream
  // tests each callback for truthiness). Each takes one argument (the keys, a
  // record): called per record, so no spread. A literal of its own, not a
  // copy of the subscriber with callbacks overwritten: the copy-then-overwrite
  // shape also kept each query's objects alive through young collections.
  const { onKeys, onNext, onCompleted, onError } = subscriber
  subscribe({
    onKeys: onKeys === undefined
      ? undefined
      : (keys) => {
          if (failed) return
          try { onKeys.call(subscriber, keys) } catch (error) { fail(error) }
        },
    onNext: onNext === undefined
      ? undefined
      : (record) => {
          if (failed) return
          try { onNext.call(subscriber, record) } catch (error) { fail(error) }
        },
    onCompleted: (summary) => { if (!failed) onCompleted?.call(subscriber, summary) },
    onError: (error) => { if (!failed) onError?.call(subscriber, error) }
  })
}
