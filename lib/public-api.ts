// Every name of neo4j-cluster-driver's public surface, listed once: the
// official neo4j-driver 6.x API, with values from the same neo4j-driver-core
// copy so results and errors are interchangeable, plus our extensions (error
// classes, diagnostics channels, pool stats). index.ts exports these by name
// and gathers the values into the default `neo4j` object.
// spec/unit/public-api.spec.ts compares this surface with the official
// package's, name by name; README "Differences from neo4j-driver" lists what
// is deliberately different.

import {
  auth, authTokenManagers, clientCertificateProviders, Date, DateTime, Duration, EagerResult, EncryptionService, EnvelopeEncryptionProfile,
  GqlStatusObject, GQLError, inSafeRange, int, Integer, isDate, isDateTime, isDuration, isInt, isLocalDateTime, isLocalTime, isNode, isPath,
  isPathSegment, isPoint, isRelationship, isTime, isUnboundRelationship, isUnsupportedType, isUUID, isVector, LocalDateTime,
  LocalKeyEncapsulationService, localKeyEncapsulationService, LocalTime, mappingDecorators, Neo4jError, Node, Notification,
  notificationCategory, notificationClassification, notificationFilterDisabledCategory, notificationFilterDisabledClassification,
  notificationFilterMinimumSeverityLevel, notificationSeverityLevel, Path, PathSegment, Plan, Point, ProfiledPlan, ProtocolVersion,
  QueryStatistics, Record, RecordObjectMapping, Relationship, Result, resultTransformers, ResultSummary, routing, rule, ServerInfo,
  StandardCase, Time, toNumber, toString, UnboundRelationship, UnsupportedType, UUID, uuid, Vector, vector
} from 'neo4j-driver-core'
import { bookmarkManager } from './bookmarks/bookmark-manager.js'
import { Driver, driver } from './driver.js'
import {
  AcquisitionTimeoutError, CommitOutcomeUnknownError, ConfigurationError, DiscoveryError, RetriesExhaustedError, isRetryableError,
  errorLabels, hasErrorLabel, COMMIT_OUTCOME_UNKNOWN, CONFIGURATION_ERROR, CONNECTION_ACQUISITION_TIMEOUT, DRIVER_CLOSED, ILLEGAL_STATE,
  INVALID_ARGUMENT, NOT_SUPPORTED, PROTOCOL_ERROR, SERVICE_UNAVAILABLE, SESSION_EXPIRED
} from './errors.js'
import { CHANNELS } from './events.js'
import { logging } from './log.js'
import { hasReachableServer } from './reachability.js'
import { RxResult } from './session/rx-result.js'
import { RxSession } from './session/rx-session.js'
import { RxManagedTransaction, RxTransaction } from './session/rx-transaction.js'
import { Session } from './session/session.js'
import { ManagedTransaction, Transaction, TransactionPromise } from './session/transaction.js'

const session = { READ: 'READ', WRITE: 'WRITE' } as const
const integer = { toNumber, toString, inSafeRange }
const spatial = { isPoint }
const temporal = { isDuration, isLocalTime, isTime, isDate, isLocalDateTime, isDateTime }
const graph = { isNode, isPath, isPathSegment, isRelationship, isUnboundRelationship }
/** The official runtime `types` object and what its typings add (the Rx classes, UUID). */
const types = {
  Node, Relationship, UnboundRelationship, PathSegment, Path, Result, EagerResult, ResultSummary, Record, Point, Date, DateTime,
  Duration, LocalDateTime, LocalTime, Time, Integer, Vector, ProtocolVersion, EnvelopeEncryptionProfile, EncryptionService,
  RxSession, RxTransaction, RxManagedTransaction, RxResult, UUID
}
/** Driver-side error codes (server codes start with 'Neo.'): the official three plus ours. */
const error = {
  SERVICE_UNAVAILABLE, SESSION_EXPIRED, PROTOCOL_ERROR, COMMIT_OUTCOME_UNKNOWN, CONFIGURATION_ERROR, CONNECTION_ACQUISITION_TIMEOUT,
  DRIVER_CLOSED, ILLEGAL_STATE, INVALID_ARGUMENT, NOT_SUPPORTED
}
const isRetriableError = isRetryableError

export {
  // The driver and its sessions (ours)
  driver, Driver, hasReachableServer, Session, Transaction, ManagedTransaction, TransactionPromise,
  RxSession, RxTransaction, RxManagedTransaction, RxResult, bookmarkManager, logging,
  // Grouping objects, as in the official `neo4j` object
  integer, types, session, routing, error, graph, spatial, temporal,
  // Errors: core's, and our classification and extensions
  Neo4jError, GQLError, isRetryableError, isRetriableError, errorLabels, hasErrorLabel,
  DiscoveryError, CommitOutcomeUnknownError, RetriesExhaustedError, ConfigurationError, AcquisitionTimeoutError,
  CHANNELS as diagnosticsChannels,
  // Auth
  auth, authTokenManagers, clientCertificateProviders,
  // Values and results (neo4j-driver-core's)
  int, isInt, Integer, Node, Relationship, UnboundRelationship, PathSegment, Path, Record, Result, EagerResult, ResultSummary, Plan,
  ProfiledPlan, QueryStatistics, Notification, GqlStatusObject, ServerInfo, ProtocolVersion, resultTransformers,
  Point, isPoint, Duration, LocalTime, Time, Date, LocalDateTime, DateTime, isDuration, isLocalTime, isTime, isDate, isLocalDateTime,
  isDateTime, isNode, isPath, isPathSegment, isRelationship, isUnboundRelationship, isVector, vector, Vector, UUID, uuid, isUUID,
  UnsupportedType, isUnsupportedType,
  notificationCategory, notificationClassification, notificationSeverityLevel, notificationFilterDisabledCategory,
  notificationFilterDisabledClassification, notificationFilterMinimumSeverityLevel,
  // Record object mapping (neo4j-driver-core's)
  RecordObjectMapping, rule, mappingDecorators, StandardCase,
  // Client-side encryption classes (neo4j-driver-core's; the driver option itself is not supported)
  LocalKeyEncapsulationService, localKeyEncapsulationService, EnvelopeEncryptionProfile, EncryptionService
}

export type { Config, LoggingConfig, LogLevel, RetryDelays } from './config.js'
export type { BookmarkManager, BookmarkManagerConfig } from './bookmarks/bookmark-manager.js'
export type { AuthToken, NoAuthToken } from './driver.js'
export type { QueryConfig, RoutingControl } from './session/query-config.js'
export type { SessionConfig, TransactionConfig } from './session/session-config.js'
export type { TransactionWork } from './session/session.js'
export type { RxTransactionWork } from './session/rx-session.js'
export type { Query } from './session/query.js'
export type { TrustStrategy } from './url.js'
export type { RoutingTableSnapshot } from './routing/routing-table.js'
export type { ConfigurationScope, ErrorLabel, RouterAttempt, RouterFailureReason, AttemptRecord } from './errors.js'
export type { PoolStats } from './connection/member-pool.js'
/** Internal, for tests only: the shape of the `clock` config option. */
export type { DriverClock } from './clock.js'
export type {
  RoutingTableEvent, ServerForgottenEvent, DiscoveryFailedEvent, RetryEvent, WarningEvent, MemberProbeEvent, RouteEvent, SocketReadEvent
} from './events.js'
export type {
  RecordShape, QueryResult, MappedQueryResult, ResultObserver, ResultTransformer, NotificationFilter, NotificationPosition,
  NotificationCategory, NotificationClassification, NotificationSeverityLevel, NotificationFilterDisabledCategory,
  NotificationFilterDisabledClassification, NotificationFilterMinimumSeverityLevel, AuthTokenManager, AuthTokenManagers,
  AuthTokenAndExpiration, ClientCertificate, ClientCertificateProvider, ClientCertificateProviders, RotatingClientCertificateProvider,
  Rule, Rules, VectorType, EncryptionProfile, EncapsulatedKeyRecordRepository, EncapsulatedKeyRecord, EncapsulatedKey,
  KeyEncapsulationService, SecretKey
} from 'neo4j-driver-core'
export type EncryptionLevel = import('neo4j-driver-core').types.EncryptionLevel
export type SessionMode = import('neo4j-driver-core').types.SessionMode
