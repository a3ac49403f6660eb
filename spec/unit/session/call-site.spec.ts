// createResult's call site: a query the application ran keeps a few frames of
// where it was run, formatted only for an error; the driver's own query
// (executeQuery) keeps none; core's eager capture is skipped; and the global
// Error settings are left as they were, whatever they were.

import { expect } from 'chai'
import { newError, ProtocolVersion, type Result } from 'neo4j-driver-core'
import { createResult } from '../../../lib/session/results.js'

/** A stream that fails as soon as it is subscribed to. */
function failingStream (): unknown {
  return {
    subscribe: (subscriber: { onError?: (error: Error) => void }) => {
      setImmediate(() => subscriber.onError?.(newError('division by zero', 'Neo.ClientError.Statement.ArithmeticError')))
    },
    pause: () => {},
    resume: () => {},
    cancel: () => {}
  }
}

function result (applicationCall: boolean): Result {
  const connection = Promise.resolve({ getProtocolVersion: () => new ProtocolVersion(5, 7) })
  return createResult(Promise.resolve(failingStream() as never), 'RETURN 1/0', {}, connection, 1000, applicationCall)
}

function theApplicationRunsItHere (): Result { return result(true) }

describe('session: a result\'s call site', () => {
  it('a query the application ran: its error\'s stack names the application\'s frame', async () => {
    const error = await theApplicationRunsItHere().catch((e: Error) => e) as Error
    expect(error.message).to.include('division by zero')
    expect(error.stack).to.include('theApplicationRunsItHere')
  })

  it('the driver\'s own query keeps no call site: its error keeps the stack of where it arose', async () => {
    const made = result(false)
    expect((made as unknown as { _stack: unknown })._stack).to.equal(null)
    const error = await made.catch((e: Error) => e) as Error
    expect(error.message).to.include('division by zero')
    expect(error.stack).to.not.include('theApplicationRunsItHere')
  })

  it('leaves Error.stackTraceLimit and Error.prepareStackTrace as they were', () => {
    const limit = Error.stackTraceLimit
    const prepare = Error.prepareStackTrace
    try {
      for (const given of [3, 0, 50, Infinity]) {
        Error.stackTraceLimit = given
        result(true)
        result(false)
        expect(Error.stackTraceLimit).to.equal(given)
        expect(Error.prepareStackTrace).to.equal(prepare)
      }
    } finally {
      Error.stackTraceLimit = limit
    }
  })

  it('an application limit below the call site\'s depth is kept for the call site too', async () => {
    const limit = Error.stackTraceLimit
    let made: Result
    try {
      Error.stackTraceLimit = 0
      made = theApplicationRunsItHere()
    } finally {
      Error.stackTraceLimit = limit
    }
    const error = await made.catch((e: Error) => e) as Error
    expect(error.stack).to.not.include('theApplicationRunsItHere')
  })
})
