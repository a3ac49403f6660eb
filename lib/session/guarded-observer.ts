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

/** Wrap the stream's subscribe so each subscriber's exceptions fail that subscriber only. Returns the same observer. */
export function guardSubscribers (stream: ResultStreamObserver): ResultStreamObserver {
  const subscribe = stream.subscribe.bind(stream)
  stream.subscribe = (subscriber: Subscriber): void => {
    let failed = false
    const fail = (error: unknown): void => {
      failed = true
      stream.cancel()
      subscriber.onError?.(error as Error)
    }
    const wrapped: Subscriber = {
      ...subscriber,
      onCompleted: (summary: Parameters<NonNullable<Subscriber['onCompleted']>>[0]) => { if (!failed) subscriber.onCompleted?.(summary) },
      onError: (error: Error) => { if (!failed) subscriber.onError?.(error) }
    }
    // Only the callbacks the subscriber has: the stream hands its buffered
    // records to the first subscriber with an onNext, so adding one to a
    // subscriber that has none (Result.keys()) would swallow them. Each takes
    // one argument (the keys, a record): called per record, so no spread.
    const { onKeys, onNext } = subscriber
    if (onKeys !== undefined) {
      wrapped.onKeys = (keys) => {
        if (failed) return
        try { onKeys.call(subscriber, keys) } catch (error) { fail(error) }
      }
    }
    if (onNext !== undefined) {
      wrapped.onNext = (record) => {
        if (failed) return
        try { onNext.call(subscriber, record) } catch (error) { fail(error) }
      }
    }
    subscribe(wrapped)
  }
  return stream
}
