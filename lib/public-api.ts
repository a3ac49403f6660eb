// Every name of neo4j-cluster-driver's public surface, listed once: the
// official neo4j-driver 6.x API, with values from the same neo4j-driver-core
// copy so results and errors are interchangeable, plus our extensions (error
// classes, diagnostics channels, pool stats). index.ts exports these by name
// and gathers the values into the default `neo4j` object.

import {
  auth, Date, DateTime, Duration, EagerResult, GqlStatusObject, int, Integer, inSafeRange, isDate, isDateTime, isDuration, isInt,
  isLocalDateTime, isLocalTime, isNode, isPath, isPathSegment, isPoint, isRelationship, isTime, isUnboundRelationship,
  LocalDateTime, LocalTime, Neo4jError, Node, Notification, notificationCategory, notificationClassification,
  notificationFilterDisabledCategory, notificationFilterDisabledClassification, notificationFilterMinimumSeverityLevel,
  notificationSeverityLevel, Path, PathSegment, Plan, Point, ProfiledPlan, ProtocolVersion, QueryStatistics, Record, Relationship,
  Result, resultTransformers, ResultSummary, ServerInfo, Time, toNumber, toString, UnboundRelationship, isVector, Vector, vector,
  GQLError
} from 'neo4j-driver-core'
import { bookmarkManager } from './bookmarks/bookmark-manager.js'
import { Driver, driver } from './driver.js'
import {
  AcquisitionTimeoutError, CommitOutcomeUnknownError, ConfigurationError, DiscoveryError, RetriesExhaustedError, isRetryableError,
  COMMIT_OUTCOME_UNKNOWN, CONFIGURATION_ERROR, CONNECTION_ACQUISITION_TIMEOUT, DRIVER_CLOSED, PROTOCOL_ERROR, SERVICE_UNAVAILABLE, SESSION_EXPIRED
} from './errors.js'
import { CHANNELS } from './events.js'
import { logging } from './log.js'
import { Session } from './session/session.js'
import { ManagedTransaction, Transaction, TransactionPromise } from './session/transaction.js'

const session = { READ: 'READ', WRITE: 'WRITE' } as const
const routing = { READ: 'READ', WRITE: 'WRITE' } as const
const integer = { toNumber, toString, inSafeRange }
const spatial = { isPoint }
const temporal = { isDuration, isLocalTime, isTime, isDate, isLocalDateTime, isDateTime }
const graph = { isNode, isPath, isPathSegment, isRelationship, isUnboundRelationship }
const types = {
  Node, Relationship, UnboundRelationship, PathSegment, Path, Result, EagerResult, ResultSummary, Record, Point, Date, DateTime,
  Duration, LocalDateTime, LocalTime, Time, Integer, Vector, ProtocolVersion
}
/** Driver-side error codes (server codes start with 'Neo.'). */
const error = {
  SERVICE_UNAVAILABLE, SESSION_EXPIRED, PROTOCOL_ERROR, COMMIT_OUTCOME_UNKNOWN, CONFIGURATION_ERROR, CONNECTION_ACQUISITION_TIMEOUT, DRIVER_CLOSED
}
const isRetriableError = isRetryableError


export {
  driver, Driver, auth, int, isInt, integer, types, session, routing, error, graph, spatial, temporal, logging,
  bookmarkManager, isRetryableError, isRetriableError, resultTransformers, Neo4jError, GQLError,
  DiscoveryError, CommitOutcomeUnknownError, RetriesExhaustedError, ConfigurationError, AcquisitionTimeoutError,
  CHANNELS as diagnosticsChannels,
  Node, Relationship, UnboundRelationship, PathSegment, Path, Integer, Record, Result, EagerResult, ResultSummary, Plan, ProfiledPlan,
  QueryStatistics, Notification, GqlStatusObject, ServerInfo, Session, Transaction, ManagedTransaction, TransactionPromise,
  Point, isPoint, Duration, LocalTime, Time, Date, LocalDateTime, DateTime, isDuration, isLocalTime, isTime, isDate, isLocalDateTime,
  isDateTime, isNode, isPath, isPathSegment, isRelationship, isUnboundRelationship, isVector, vector, Vector,
  notificationCategory, notificationClassification, notificationSeverityLevel, notificationFilterDisabledCategory,
  notificationFilterDisabledClassification, notificationFilterMinimumSeverityLevel
}

export type { Config, LoggingConfig, LogLevel, RetryDelays } from './config.js'
export type { BookmarkManager, BookmarkManagerConfig } from './bookmarks/bookmark-manager.js'
export type { QueryConfig, RoutingControl, AuthToken } from './driver.js'
export type { SessionConfig, TransactionConfig } from './session/session-config.js'
export type { TransactionWork } from './session/session.js'
export type { Query } from './session/query.js'
export type { RoutingTableSnapshot } from './routing/routing-table.js'
export type { RouterAttempt, RouterFailureReason, AttemptRecord } from './errors.js'
export type { PoolStats } from './connection/member-pool.js'
/** Internal, for tests only: the shape of the `clock` config option. */
export type { DriverClock } from './clock.js'
export type {
  RoutingTableEvent, ServerForgottenEvent, DiscoveryFailedEvent, RetryEvent, WarningEvent, MemberProbeEvent
} from './events.js'
export type { RecordShape, QueryResult, ResultObserver, NotificationFilter } from 'neo4j-driver-core'
