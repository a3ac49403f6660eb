// Errors the fixture reports to clients as Bolt FAILURE messages. Every layer
// (store, raft, cluster, bolt) throws FixtureError; the Bolt layer turns it into
// the pre-5.7 `{code, message}` or the 5.7+ GQL form.

export type ErrorClassification = 'CLIENT_ERROR' | 'TRANSIENT_ERROR' | 'DATABASE_ERROR'

/** Neo4j status codes the fixture uses, with the GQLSTATUS it reports beside each. */
export const STATUS = {
  NotALeader: { code: 'Neo.ClientError.Cluster.NotALeader', gql: '08N07' },
  ForbiddenOnReadOnlyDatabase: { code: 'Neo.ClientError.General.ForbiddenOnReadOnlyDatabase', gql: '08N08' },
  DatabaseUnavailable: { code: 'Neo.TransientError.General.DatabaseUnavailable', gql: '08N09' },
  DatabaseNotFound: { code: 'Neo.ClientError.Database.DatabaseNotFound', gql: '22N51' },
  ExistingDatabaseFound: { code: 'Neo.ClientError.Database.ExistingDatabaseFound', gql: '42N11' },
  BookmarkTimeout: { code: 'Neo.TransientError.Transaction.BookmarkTimeout', gql: '08N13' },
  InvalidBookmark: { code: 'Neo.ClientError.Transaction.InvalidBookmark', gql: '08N12' },
  InvalidBookmarkMixture: { code: 'Neo.ClientError.Transaction.InvalidBookmarkMixture', gql: '08N12' },
  SyntaxError: { code: 'Neo.ClientError.Statement.SyntaxError', gql: '42001' },
  SemanticError: { code: 'Neo.ClientError.Statement.SemanticError', gql: '42N00' },
  TypeError: { code: 'Neo.ClientError.Statement.TypeError', gql: '22G03' },
  ArgumentError: { code: 'Neo.ClientError.Statement.ArgumentError', gql: '22N00' },
  ParameterMissing: { code: 'Neo.ClientError.Statement.ParameterMissing', gql: '42N51' },
  EntityNotFound: { code: 'Neo.ClientError.Statement.EntityNotFound', gql: '22N00' },
  AccessMode: { code: 'Neo.ClientError.Statement.AccessMode', gql: '08N01' },
  UnsupportedAdministrationCommand: { code: 'Neo.ClientError.Statement.UnsupportedAdministrationCommand', gql: '42N17' },
  ConstraintValidationFailed: { code: 'Neo.ClientError.Schema.ConstraintValidationFailed', gql: '22N41' },
  Unauthorized: { code: 'Neo.ClientError.Security.Unauthorized', gql: '42NFF' },
  RequestInvalid: { code: 'Neo.ClientError.Request.Invalid', gql: '08N06' },
  RequestInvalidFormat: { code: 'Neo.ClientError.Request.InvalidFormat', gql: '08N06' },
  TransactionNotFound: { code: 'Neo.ClientError.Transaction.TransactionNotFound', gql: '25N05' },
  TransactionTimedOut: { code: 'Neo.ClientError.Transaction.TransactionTimedOut', gql: '25N11' },
  LockAcquisitionTimeout: { code: 'Neo.TransientError.Transaction.LockAcquisitionTimeout', gql: '50N11' },
  LeaderSwitch: { code: 'Neo.TransientError.Transaction.LeaderSwitch', gql: '51N34' },
  ReplicationFailure: { code: 'Neo.TransientError.Cluster.ReplicationFailure', gql: '51N34' },
  Terminated: { code: 'Neo.TransientError.Transaction.Terminated', gql: '25N09' },
  GeneralUnknownError: { code: 'Neo.DatabaseError.General.UnknownError', gql: '50N42' }
} as const

export type StatusName = keyof typeof STATUS

export class FixtureError extends Error {
  readonly code: string
  readonly gqlStatus: string
  /** Whether the connection must be closed after reporting (failed auth, protocol violations). */
  readonly fatal: boolean

  constructor (status: StatusName, message: string, options: { fatal?: boolean, cause?: FixtureError } = {}) {
    super(message, options.cause ? { cause: options.cause } : undefined)
    this.name = 'FixtureError'
    this.code = STATUS[status].code
    this.gqlStatus = STATUS[status].gql
    this.fatal = options.fatal ?? false
  }

  get classification (): ErrorClassification {
    if (this.code.startsWith('Neo.TransientError.')) return 'TRANSIENT_ERROR'
    if (this.code.startsWith('Neo.DatabaseError.')) return 'DATABASE_ERROR'
    return 'CLIENT_ERROR'
  }
}

export function fixtureError (status: StatusName, message: string, options?: { fatal?: boolean }): FixtureError {
  return new FixtureError(status, message, options)
}

/** Anything thrown that is not a FixtureError becomes a DatabaseError with its message (never a crash). */
export function asFixtureError (error: unknown): FixtureError {
  if (error instanceof FixtureError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new FixtureError('GeneralUnknownError', `Internal error in the cluster fixture: ${message}`)
}
