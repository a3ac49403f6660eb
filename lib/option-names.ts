// The option names of every scope, in one table: each validator takes its
// own list from here, and the unknown-option warning looks across all of
// them to say where a misplaced option belongs ('database' given to driver()).

import type { ConfigurationScope } from './errors.js'

export const OPTION_NAMES = {
  driver: [
    'encrypted', 'trust', 'trustedCertificates', 'fetchSize', 'maxConnectionPoolSize', 'maxTransactionRetryTime', 'maxConnectionLifetime',
    'connectionAcquisitionTimeout', 'connectionLivenessCheckTimeout', 'connectionTimeout', 'disableLosslessIntegers', 'useBigInt', 'logging',
    'resolver', 'userAgent', 'notificationFilter', 'telemetryDisabled', 'disableAutoCommitRetries', 'clientCertificate', 'encryptionProfiles',
    'retry', 'routingTablePurgeDelay', 'connectionIdleTimeout', 'receiveTimeout', 'unresponsiveProbeAfter', 'unresponsiveProbeTimeout', 'clock'
  ],
  session: [
    'defaultAccessMode', 'bookmarks', 'database', 'impersonatedUser', 'fetchSize', 'bookmarkManager', 'notificationFilter', 'auth',
    'disableAutoCommitRetries'
  ],
  transaction: ['timeout', 'metadata', 'idempotent', 'pipelineBegin'],
  executeQuery: ['routing', 'database', 'impersonatedUser', 'bookmarkManager', 'resultTransformer', 'transactionConfig', 'auth', 'signal'],
  refreshRoutingTable: ['bookmarks'],
  verifyConnectivity: ['database'],
  bookmarkManager: ['initialBookmarks', 'bookmarksSupplier', 'bookmarksConsumer']
} as const satisfies Record<ConfigurationScope, readonly string[]>

export type OptionName<S extends ConfigurationScope> = typeof OPTION_NAMES[S][number]

export function isOptionOf (scope: ConfigurationScope, key: string): boolean {
  return (OPTION_NAMES[scope] as readonly string[]).includes(key)
}
