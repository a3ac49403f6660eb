// The receive timeout (the server's connection.recv_timeout_seconds hint, or
// the receiveTimeout option): while requests are outstanding, a connection
// silent for that long is broken. bolt-connection's channel arms the socket's
// inactivity timeout (socket.setTimeout) each time requests become
// outstanding and disarms it each time none are: a timer object, a bound
// callback and a timer-list insert, then a clear, for every round trip. Here
// the socket's timeout is set once, when the receive timeout is set up, and
// keeps running: Node restarts it on every read and write of the socket, as
// it did while armed. The channel only notes whether requests are
// outstanding, and the timeout breaks the connection only then, with
// bolt-connection's error. An idle connection's timeout running out does
// nothing; the next request's write restarts it, so a request always gets
// the full time of silence before its connection is declared lost.

import { newError } from 'neo4j-driver-core'
import type { ChannelLike } from 'neo4j-driver-bolt-connection/lib/connection/index.js'

/** The parts of bolt-connection's NodeChannel this replaces or uses. */
interface TimedChannel extends ChannelLike {
  _conn: {
    setTimeout: (ms: number) => unknown
    on: (event: 'timeout', listener: () => void) => unknown
    destroy: (error: Error) => unknown
  }
  _connectionErrorCode: string
  _removeConnectionTimeoutListeners?: () => void
}

/** From now on the channel keeps its socket's timeout set (see the module comment). */
export function keepReceiveTimerSet (channel: ChannelLike): void {
  const timed = channel as TimedChannel
  let outstanding = false
  let listening = false
  timed.setupReceiveTimeout = function (this: TimedChannel, receiveTimeout: number): void {
    // The connect timeout's listeners go, as in bolt-connection.
    this._removeConnectionTimeoutListeners?.()
    this._receiveTimeout = receiveTimeout
    if (!listening) {
      listening = true
      this._conn.on('timeout', () => {
        if (!outstanding) return
        this._conn.destroy(newError(`Connection lost. Server didn't respond in ${String(this._receiveTimeout)}ms`, this._connectionErrorCode))
      })
    }
    this._conn.setTimeout(receiveTimeout)
  }
  timed.startReceiveTimeout = function (this: TimedChannel): void {
    outstanding = true
  }
  timed.stopReceiveTimeout = function (this: TimedChannel): void {
    outstanding = false
  }
}
