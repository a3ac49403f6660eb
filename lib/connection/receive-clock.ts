// How long one connection has been waiting for its server: from the moment a
// request is outstanding, reset by every byte that arrives. The wire adapter
// feeds it (requests outstanding / none / bytes received); the unresponsive-
// member detector reads it. No I/O and no clock of its own: `now` is injected.
//
// A paused stream (records buffered, no PULL sent) has no request outstanding,
// and a long stream keeps sending bytes, so neither counts as silence.

export class ReceiveClock {
  private awaitingSince: number | undefined
  private lastReceivedAt = -Infinity
  private readonly now: () => number
  private readonly onAwaiting: () => void

  /** `onAwaiting` is called each time the connection goes from nothing outstanding to waiting for an answer. */
  constructor (now: () => number, onAwaiting: () => void = () => {}) {
    this.now = now
    this.onAwaiting = onAwaiting
  }

  /** At least one request is waiting for an answer (called on every change of the count; cheap when already waiting). */
  requestsOutstanding (): void {
    if (this.awaitingSince !== undefined) return
    this.awaitingSince = this.now()
    this.onAwaiting()
  }

  /** Every request has been answered (or the connection went idle). */
  noneOutstanding (): void {
    this.awaitingSince = undefined
  }

  /** Bytes arrived from the server. */
  received (): void {
    this.lastReceivedAt = this.now()
  }

  /** Since when the server has said nothing while a request was outstanding; undefined when nothing is outstanding. */
  silentSince (): number | undefined {
    if (this.awaitingSince === undefined) return undefined
    return Math.max(this.awaitingSince, this.lastReceivedAt)
  }
}
