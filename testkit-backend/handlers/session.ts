// Session requests, including transaction functions. For SessionRead/Write-
// Transaction the backend runs the driver's executeRead/executeWrite and lets
// testkit play the work function: each attempt answers RetryableTry{id} and
// waits for RetryablePositive (return → the driver commits) or
// RetryableNegative (throw that DriverError, or a client error). The final
// outcome — RetryableDone or the error — is the request's one response.

import type { ManagedTransaction, SessionConfig } from '../../lib/index.js'
import type { Context } from '../context.js'
import { BackendProblem, FrontendProblem } from '../protocol/problems.js'
import { NO_REPLY, type HandlerResult } from '../replies/reply.js'
import type { Fields } from './data.js'
import { notificationFilterOf, wrappedAuthToken } from './driver.js'

export async function NewSession (context: Context, f: Fields): Promise<HandlerResult> {
  const driver = context.drivers.get(f.id('driverId'))
  const accessMode = f.string('accessMode')
  if (accessMode !== 'r' && accessMode !== 'w') throw new BackendProblem(`NewSession: unknown accessMode ${JSON.stringify(accessMode)} (expected "r" or "w")`)
  const config: SessionConfig = { defaultAccessMode: accessMode === 'r' ? 'READ' : 'WRITE' }
  const bookmarks = f.optionalStrings('bookmarks')
  if (bookmarks !== undefined) config.bookmarks = bookmarks
  const database = f.optionalString('database')
  if (database !== undefined) config.database = database
  const impersonatedUser = f.optionalString('impersonatedUser')
  if (impersonatedUser !== undefined) config.impersonatedUser = impersonatedUser
  const fetchSize = f.optionalNumber('fetchSize')
  if (fetchSize !== undefined) config.fetchSize = fetchSize
  if (f.has('bookmarkManagerId')) config.bookmarkManager = context.bookmarkManagers.get(f.id('bookmarkManagerId'))
  const filter = notificationFilterOf(f)
  if (filter !== undefined) config.notificationFilter = filter
  const auth = f.optionalObject('authorizationToken')
  if (auth !== undefined) config.auth = wrappedAuthToken(auth)
  const session = driver.session(config)
  const id = context.sessions.add(context.nextId(), { session, attempt: undefined })
  return { name: 'Session', data: { id } }
}

export async function SessionClose (context: Context, f: Fields): Promise<HandlerResult> {
  const id = f.id('sessionId')
  await context.sessions.get(id).session.close()
  return { name: 'Session', data: { id } }
}

export async function SessionRun (context: Context, f: Fields): Promise<HandlerResult> {
  const { session } = context.sessions.get(f.id('sessionId'))
  // Lazy like the driver: RUN and PULL are on their way; errors surface on ResultNext/ResultConsume.
  const result = session.run(f.string('cypher'), f.params(), f.transactionConfig())
  const id = context.results.add(context.nextId(), { result, iterator: undefined })
  return { name: 'Result', data: { id } }
}

export async function SessionBeginTransaction (context: Context, f: Fields): Promise<HandlerResult> {
  const sessionId = f.id('sessionId')
  const { session } = context.sessions.get(sessionId)
  // Awaiting the TransactionPromise waits for BEGIN's SUCCESS, as `await session.beginTransaction()` does for users.
  const tx = await session.beginTransaction(f.transactionConfig())
  const id = context.transactions.add(context.nextId(), { tx, sessionId })
  return { name: 'Transaction', data: { id } }
}

export async function SessionLastBookmarks (context: Context, f: Fields): Promise<HandlerResult> {
  return { name: 'Bookmarks', data: { bookmarks: context.sessions.get(f.id('sessionId')).session.lastBookmarks() } }
}

async function transactionFunction (mode: 'READ' | 'WRITE', context: Context, f: Fields): Promise<HandlerResult> {
  const sessionId = f.id('sessionId')
  const entry = context.sessions.get(sessionId)
  const work = async (tx: ManagedTransaction): Promise<void> => {
    const txId = context.transactions.add(context.nextId(), { tx, sessionId })
    const outcome = new Promise<void>((resolve, reject) => { entry.attempt = { resolve, reject } })
    context.send('RetryableTry', { id: txId })
    try {
      await outcome
    } finally {
      entry.attempt = undefined
    }
  }
  const config = f.transactionConfig()
  if (mode === 'READ') await entry.session.executeRead(work, config)
  else await entry.session.executeWrite(work, config)
  return { name: 'RetryableDone', data: {} }
}

export async function SessionReadTransaction (context: Context, f: Fields): Promise<HandlerResult> {
  return await transactionFunction('READ', context, f)
}

export async function SessionWriteTransaction (context: Context, f: Fields): Promise<HandlerResult> {
  return await transactionFunction('WRITE', context, f)
}

function runningAttempt (context: Context, f: Fields, request: string): NonNullable<ReturnType<Context['sessions']['get']>['attempt']> {
  const attempt = context.sessions.get(f.id('sessionId')).attempt
  if (attempt === undefined) throw new BackendProblem(`${request}: no transaction function is waiting on session ${JSON.stringify(f.raw('sessionId'))}`)
  return attempt
}

/** The work function returns: the driver commits (then RetryableDone, another RetryableTry, or an error). */
export async function RetryablePositive (context: Context, f: Fields): Promise<HandlerResult> {
  runningAttempt(context, f, 'RetryablePositive').resolve()
  return NO_REPLY
}

/**
 * The work function throws: the DriverError testkit names (the same object,
 * so the driver judges its retryability), or a client error when errorId is
 * empty — the driver must not retry that one.
 */
export async function RetryableNegative (context: Context, f: Fields): Promise<HandlerResult> {
  const attempt = runningAttempt(context, f, 'RetryableNegative')
  const errorId = f.raw('errorId')
  const known = errorId === undefined || errorId === null || errorId === '' ? undefined : context.errors.find(errorId)
  const error = known ?? new FrontendProblem(errorId === undefined || errorId === null || errorId === ''
    ? undefined
    : `TestKit FrontendError: errorId ${JSON.stringify(errorId)} names no error of this connection`)
  attempt.reject(error)
  return NO_REPLY
}
