// Every request name the backend answers, and the ones it refuses with the
// reason (the driver lacks the API). Anything else is an unknown request.

import type { Context } from '../context.js'
import { FEATURES } from '../features.js'
import { unsupported } from '../protocol/problems.js'
import type { HandlerResult } from '../replies/reply.js'
import { skipReason } from '../skipped-tests.js'
import {
  AuthTokenManagerClose, AuthTokenManagerGetAuthCompleted, AuthTokenManagerHandleSecurityExceptionCompleted, BasicAuthTokenProviderCompleted,
  BearerAuthTokenProviderCompleted, CheckSessionAuthSupport, ClientCertificateProviderClose, ClientCertificateProviderCompleted,
  NewAuthTokenManager, NewBasicAuthTokenManager, NewBearerAuthTokenManager, NewClientCertificateProvider, VerifyAuthentication
} from './auth.js'
import { BookmarkManagerClose, BookmarksConsumerCompleted, BookmarksSupplierCompleted, ExecuteQuery, NewBookmarkManager } from './bookmarks-and-query.js'
import type { Fields } from './data.js'
import {
  CheckDriverIsEncrypted, CheckMultiDBSupport, DriverClose, GetConnectionPoolMetrics, GetServerInfo, NewDriver, ResolverResolutionCompleted,
  VerifyConnectivity
} from './driver.js'
import { FakeTimeInstall, FakeTimeTick, FakeTimeUninstall } from './fake-time.js'
import { ResultConsume, ResultList, ResultNext, ResultPeek } from './result.js'
import { ForcedRoutingTableUpdate, GetRoutingTable } from './routing.js'
import {
  NewSession, RetryableNegative, RetryablePositive, SessionBeginTransaction, SessionClose, SessionLastBookmarks, SessionReadTransaction,
  SessionRun, SessionWriteTransaction
} from './session.js'
import { TransactionClose, TransactionCommit, TransactionRollback, TransactionRun } from './transaction.js'

export type Handler = (context: Context, fields: Fields) => Promise<HandlerResult>

async function GetFeatures (): Promise<HandlerResult> {
  return { name: 'FeatureList', data: { features: [...FEATURES] } }
}

async function StartTest (_context: Context, f: Fields): Promise<HandlerResult> {
  const reason = skipReason(f.string('testName'))
  return reason === undefined ? { name: 'RunTest', data: {} } : { name: 'SkipTest', data: { reason } }
}

/** Only asked after RunSubTests, which we never answer; kept so a newer testkit gets a sane reply. */
async function StartSubTest (_context: Context, f: Fields): Promise<HandlerResult> {
  return await StartTest(_context, f)
}

export const HANDLERS: Readonly<Record<string, Handler>> = {
  GetFeatures,
  StartTest,
  StartSubTest,
  NewDriver,
  DriverClose,
  VerifyConnectivity,
  GetServerInfo,
  CheckMultiDBSupport,
  CheckDriverIsEncrypted,
  GetRoutingTable,
  ForcedRoutingTableUpdate,
  GetConnectionPoolMetrics,
  ResolverResolutionCompleted,
  NewSession,
  SessionClose,
  SessionRun,
  SessionBeginTransaction,
  SessionLastBookmarks,
  SessionReadTransaction,
  SessionWriteTransaction,
  RetryablePositive,
  RetryableNegative,
  TransactionRun,
  TransactionCommit,
  TransactionRollback,
  TransactionClose,
  ResultNext,
  ResultPeek,
  ResultList,
  ResultConsume,
  NewBookmarkManager,
  BookmarkManagerClose,
  BookmarksSupplierCompleted,
  BookmarksConsumerCompleted,
  ExecuteQuery,
  FakeTimeInstall,
  FakeTimeTick,
  FakeTimeUninstall,
  NewAuthTokenManager,
  AuthTokenManagerClose,
  AuthTokenManagerGetAuthCompleted,
  AuthTokenManagerHandleSecurityExceptionCompleted,
  NewBasicAuthTokenManager,
  BasicAuthTokenProviderCompleted,
  NewBearerAuthTokenManager,
  BearerAuthTokenProviderCompleted,
  NewClientCertificateProvider,
  ClientCertificateProviderClose,
  ClientCertificateProviderCompleted,
  VerifyAuthentication,
  CheckSessionAuthSupport
}


/** Requests testkit may send that the driver has no API for: answered with BackendError naming the gap. */
export const UNSUPPORTED: Readonly<Record<string, string>> = {
  // Home-db-cache branch of testkit only (not 5.0): "resolve the home database again on next use".
  ForceHomeDatabaseResolution: 'the driver cannot drop its cached home database for the next session; ' +
    'refreshRoutingTable() re-resolves it only by sending ROUTE at once, an exchange the scripts do not expect',
  DomainNameResolutionCompleted: 'the driver has no DNS resolver hook',
  ResultSingle: "neo4j-driver-core's Result has no single()",
  ResultSingleOptional: "neo4j-driver-core's Result has no singleOptional()",
  // Pre-5.0 testkit names of the bearer manager (NewBearerAuthTokenManager on 5.0) and its old callback.
  NewExpirationBasedAuthTokenManager: 'an old testkit name: this backend answers NewBearerAuthTokenManager',
  ExpirationBasedAuthTokenProviderCompleted: 'an old testkit name: this backend answers BearerAuthTokenProviderCompleted',
  AuthTokenManagerOnAuthExpiredCompleted: 'an old testkit name: this backend answers AuthTokenManagerHandleSecurityExceptionCompleted'
}

export function handlerFor (name: string): Handler | undefined {
  if (Object.hasOwn(HANDLERS, name)) return HANDLERS[name]
  if (Object.hasOwn(UNSUPPORTED, name)) {
    const missing = UNSUPPORTED[name] as string
    return async () => { throw unsupported(name, missing) }
  }
  return undefined
}
