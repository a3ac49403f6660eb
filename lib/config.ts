// Driver configuration: every option the official neo4j-driver 6.x takes that
// we support, plus our extensions, with defaults and validation. A wrong type
// or an out-of-range value of a known key fails at driver() with a
// ConfigurationError that names the key and says what to do. An unknown key
// is ignored, as the official driver ignores it, with a warning (a "did you
// mean" for a typo) that the Driver logs and publishes.

import { resolveCertificateProvider, type ClientCertificate, type ClientCertificateProvider, type EncryptionProfile, type NotificationFilter } from 'neo4j-driver-core'
import { DRIVER_PRODUCT } from './version.js'
import { isDriverClock, systemClock, type DriverClock } from './clock.js'
import { ConfigurationError } from './errors.js'
import type { LoggingConfig } from './log.js'
import type { OptionName } from './option-names.js'
import { unknownOptionMessage } from './unknown-options.js'
import { checkKeys, durationCheck, fail, oneOf, typeCheck, type Check } from './validation.js'
import { describe, parseUrl, type ParsedUrl, type TrustStrategy } from './url.js'

export type { LoggingConfig, LogLevel } from './log.js'
export { validateAuthToken } from './validation.js'

export interface RetryDelays {
  /** First backoff delay in ms (official driver: 1000). Default 50. */
  initialDelay?: number
  /** Growth factor per backoff (official: 2). Default 1.5. */
  multiplier?: number
  /** Largest single delay in ms. Default 1000. */
  maxDelay?: number
  /** Relative jitter, 0…1: each delay is multiplied by a factor in [1 − jitter, 1 + jitter]. Default 0.2. */
  jitter?: number
}

/** What `driver(url, auth, config)` accepts (times in ms). */
export interface Config {
  encrypted?: boolean | 'ENCRYPTION_ON' | 'ENCRYPTION_OFF'
  trust?: TrustStrategy
  trustedCertificates?: string[]
  fetchSize?: number
  maxConnectionPoolSize?: number
  maxTransactionRetryTime?: number
  maxConnectionLifetime?: number
  connectionAcquisitionTimeout?: number
  connectionLivenessCheckTimeout?: number
  connectionTimeout?: number
  disableLosslessIntegers?: boolean
  useBigInt?: boolean
  logging?: LoggingConfig
  resolver?: (address: string) => string[] | Promise<string[]>
  userAgent?: string
  notificationFilter?: NotificationFilter
  /**
   * Never send TELEMETRY. Otherwise, as the official drivers do, one TELEMETRY
   * message per API call says which API was used (transaction function,
   * explicit transaction, auto-commit query, executeQuery), and only to a
   * server that asks for it (the `telemetry.enabled` hint). Default false.
   */
  telemetryDisabled?: boolean
  /** Accepted for compatibility; auto-commit `session.run` is never retried here. */
  disableAutoCommitRetries?: boolean
  /**
   * Mutual TLS: the certificate this driver presents to servers that ask for
   * one ({ certfile, keyfile, password }: PEM file paths), or a provider
   * (clientCertificateProviders.rotating(...), or an object with hasUpdate()
   * and getClientCertificate()) asked before each new connection. Used only
   * on encrypted connections.
   */
  clientCertificate?: ClientCertificate | ClientCertificateProvider
  /** Official option (client-side property encryption), not supported: driver() throws a ConfigurationError naming it. */
  encryptionProfiles?: EncryptionProfile[]
  // ---- extensions --------------------------------------------------------
  /** Backoff between retries of executeRead/executeWrite/executeQuery. */
  retry?: RetryDelays
  /** Drop routing tables expired for longer than this (official: fixed 30 000). */
  routingTablePurgeDelay?: number
  /** Close pooled connections idle for longer than this (0 = never). Default 0. */
  connectionIdleTimeout?: number
  /**
   * Declare a connection dead when the server sends nothing for this long
   * while a request is outstanding (0 = never; the server's
   * `connection.recv_timeout_seconds` hint still applies). Protects against
   * black-holed members; keep it above your slowest query.
   */
  receiveTimeout?: number
  /**
   * A request that has waited this long without a byte from its server makes
   * the driver probe that member with a fresh connection (bounded by
   * connectionTimeout). If the probe gets no answer either, the member is
   * black-holed: every request in flight there fails with a retryable
   * SessionExpired (a COMMIT in flight: commit outcome unknown), its
   * connections are closed and it is forgotten. A probe that answers (a slow
   * query) changes nothing. Default 500; 0 = off.
   */
  unresponsiveProbeAfter?: number
  /**
   * How long that probe may take before it counts as no answer (connectionTimeout
   * too, when shorter). A probe is one fresh connection on a path that just
   * worked: milliseconds when the member is alive. Default 1000.
   */
  unresponsiveProbeTimeout?: number
  /**
   * Internal, for tests only (e.g. a conformance backend declaring
   * Backend:MockTime): the clock read for pool idle times, connection
   * lifetimes, liveness checks, routing-table expiry and every deadline, and
   * whose timers drive acquisition waits and the unresponsive-member probe.
   * Must never go backwards (real time plus a growing offset). Network I/O
   * timeouts stay on real time. Not part of the supported API.
   */
  clock?: DriverClock
}

export interface ResolvedRetry { initialDelay: number, multiplier: number, maxDelay: number, jitter: number }

export interface ResolvedConfig {
  readonly url: ParsedUrl
  readonly encrypted: boolean
  readonly trust: TrustStrategy | undefined
  readonly trustedCertificates: readonly string[]
  readonly fetchSize: number
  /** Infinity = unlimited. */
  readonly maxConnectionPoolSize: number
  readonly maxTransactionRetryTime: number
  /** Infinity = no limit. */
  readonly maxConnectionLifetime: number
  readonly connectionAcquisitionTimeout: number
  /** undefined = no liveness check. */
  readonly connectionLivenessCheckTimeout: number | undefined
  /** 0 = no timeout. */
  readonly connectionTimeout: number
  readonly disableLosslessIntegers: boolean
  readonly useBigInt: boolean
  readonly logging: LoggingConfig | undefined
  readonly resolver: ((address: string) => string[] | Promise<string[]>) | undefined
  readonly userAgent: string
  readonly notificationFilter: NotificationFilter | undefined
  /** undefined: no client certificate (no mutual TLS). */
  readonly clientCertificate: ClientCertificateProvider | undefined
  readonly telemetryDisabled: boolean
  readonly retry: ResolvedRetry
  readonly routingTablePurgeDelay: number
  readonly connectionIdleTimeout: number
  readonly receiveTimeout: number
  /** 0 = off. */
  readonly unresponsiveProbeAfter: number
  readonly unresponsiveProbeTimeout: number
  readonly clock: DriverClock
  /** Unknown or ignored options, worded for the log ("ignoring unknown driver option …"). */
  readonly warnings: readonly string[]
}

export { DRIVER_VERSION } from './version.js'
export const DEFAULT_USER_AGENT = DRIVER_PRODUCT

export const DEFAULTS = {
  fetchSize: 1000,
  maxConnectionPoolSize: 100,
  maxTransactionRetryTime: 30_000,
  maxConnectionLifetime: 60 * 60 * 1000,
  connectionAcquisitionTimeout: 60_000,
  connectionTimeout: 30_000,
  routingTablePurgeDelay: 30_000,
  connectionIdleTimeout: 0,
  receiveTimeout: 0,
  unresponsiveProbeAfter: 500,
  unresponsiveProbeTimeout: 1000,
  retry: { initialDelay: 50, multiplier: 1.5, maxDelay: 1000, jitter: 0.2 }
} as const

/** Official options this driver cannot honour: failing beats silently connecting without them. */
const UNSUPPORTED: Record<string, string> = {
  encryptionProfiles: 'client-side property encryption is not supported'
}

/** Keys the official driver also ignores or overrides, with what to do instead. */
const IGNORED: Record<string, string> = {
  boltAgent: 'the bolt agent is set by the driver (use userAgent to name your application)',
  knownHosts: 'knownHosts was removed in neo4j-driver 4; use trust and trustedCertificates'
}


// Config's keys and the option-name table are the same list (checked here at compile time).
const sameNames: [keyof Config] extends [OptionName<'driver'>] ? [OptionName<'driver'>] extends [keyof Config] ? true : false : false = true
void sameNames

const KNOWN: Record<Exclude<OptionName<'driver'>, 'encryptionProfiles'>, Check> = {
  clientCertificate: (key, value) => {
    try {
      resolveCertificateProvider(value)
    } catch {
      // Never describe the value: it may hold a key password.
      throw new ConfigurationError(key, `'${key}' must be a client certificate { certfile, keyfile, password } (paths of PEM files; ` +
        "'password' optional) or a provider such as clientCertificateProviders.rotating({ initialCertificate }), got " +
        (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? `an object with keys ${Object.keys(value).join(', ') || '(none)'}` : `a ${typeof value}`))
    }
  },
  encrypted: oneOf([true, false, 'ENCRYPTION_ON', 'ENCRYPTION_OFF']),
  trust: oneOf(['TRUST_ALL_CERTIFICATES', 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES', 'TRUST_SYSTEM_CA_SIGNED_CERTIFICATES']),
  trustedCertificates: (key, value) => {
    if (!Array.isArray(value) || !value.every(v => typeof v === 'string')) fail(key, 'an array of certificate file paths', value)
  },
  fetchSize: (key, value) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || (value <= 0 && value !== -1)) fail(key, 'a positive integer, or -1 to fetch everything at once', value)
  },
  maxConnectionPoolSize: (key, value) => {
    if (typeof value !== 'number' || Number.isNaN(value) || value === 0 || (Number.isFinite(value) && !Number.isInteger(value))) {
      fail(key, 'a positive integer (connections per cluster member); a negative number or Infinity means unlimited', value)
    }
  },
  maxTransactionRetryTime: durationCheck(false),
  maxConnectionLifetime: (key, value) => {
    if (typeof value !== 'number' || Number.isNaN(value)) fail(key, 'a number of milliseconds (0 or negative: no limit)', value)
  },
  connectionAcquisitionTimeout: durationCheck(true),
  connectionLivenessCheckTimeout: (key, value) => {
    if (value === null) return
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || !Number.isFinite(value)) fail(key, 'a number of milliseconds ≥ 0 (0: check every idle connection on acquire), or null for off', value)
  },
  connectionTimeout: (key, value) => {
    if (typeof value !== 'number' || Number.isNaN(value)) fail(key, 'a number of milliseconds (0 or negative: no timeout)', value)
  },
  disableLosslessIntegers: typeCheck('boolean'),
  useBigInt: typeCheck('boolean'),
  logging: (key, value, warn) => {
    if (value === null || typeof value !== 'object') fail(key, "an object { level, logger } (e.g. neo4j.logging.console('debug'))", value)
    const { level, logger, unredactDebugLogs } = value as Record<string, unknown>
    if (typeof logger !== 'function') fail(`${key}.logger`, 'a function (level, message) => void', logger)
    if (level !== undefined) oneOf(['error', 'warn', 'info', 'debug'])(`${key}.level`, level, warn)
    if (unredactDebugLogs !== undefined) typeCheck('boolean')(`${key}.unredactDebugLogs`, unredactDebugLogs, warn)
    checkKeys(key, value as object, ['level', 'logger', 'unredactDebugLogs'], warn)
  },
  resolver: typeCheck('function'),
  userAgent: (key, value) => { if (typeof value !== 'string' || value === '') fail(key, 'a non-empty string', value) },
  notificationFilter: (key, value) => { if (value === null || typeof value !== 'object') fail(key, 'an object { minimumSeverityLevel, disabledClassifications }', value) },
  telemetryDisabled: typeCheck('boolean'),
  disableAutoCommitRetries: typeCheck('boolean'),
  retry: (key, value, warn) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(key, 'an object { initialDelay, multiplier, maxDelay, jitter }', value)
    const r = value as Record<string, unknown>
    checkKeys(key, r, ['initialDelay', 'multiplier', 'maxDelay', 'jitter'], warn)
    if (r.initialDelay !== undefined) durationCheck(false)(`${key}.initialDelay`, r.initialDelay, warn)
    if (r.maxDelay !== undefined) durationCheck(false)(`${key}.maxDelay`, r.maxDelay, warn)
    if (r.multiplier !== undefined && (typeof r.multiplier !== 'number' || !Number.isFinite(r.multiplier) || r.multiplier < 1)) fail(`${key}.multiplier`, 'a finite number ≥ 1', r.multiplier)
    if (r.jitter !== undefined && (typeof r.jitter !== 'number' || !(r.jitter >= 0 && r.jitter <= 1))) fail(`${key}.jitter`, 'a number between 0 and 1', r.jitter)
  },
  routingTablePurgeDelay: durationCheck(false),
  connectionIdleTimeout: durationCheck(false),
  receiveTimeout: durationCheck(false),
  unresponsiveProbeAfter: durationCheck(false),
  unresponsiveProbeTimeout: durationCheck(true),
  clock: (key, value) => { if (!isDriverClock(value)) fail(key, 'an object { now(), setTimeout(callback, ms), clearTimeout(handle) } (internal, for tests)', value) }
}

/** Validate `config` (and the URL) and fill in defaults. */
export function resolveConfig (url: unknown, config: unknown = {}): ResolvedConfig {
  const parsed = parseUrl(url)
  if (config === undefined || config === null) config = {}
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new ConfigurationError('config', `the driver config must be an object, got ${describe(config)}`)
  }
  const given = config as Record<string, unknown>
  const warnings: string[] = []
  const warn = (message: string): void => { warnings.push(message) }
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue
    if (Object.hasOwn(UNSUPPORTED, key)) throw new ConfigurationError(key, `'${key}' is not supported: ${UNSUPPORTED[key]}`)
    if (Object.hasOwn(IGNORED, key)) { warn(`ignoring driver option '${key}': ${IGNORED[key]}`); continue }
    if (!Object.hasOwn(KNOWN, key)) { warn(unknownOptionMessage('driver', key)); continue }
    KNOWN[key as keyof typeof KNOWN](key, value, warn)
  }
  const c = given as Config
  if (c.useBigInt === true && c.disableLosslessIntegers === true) {
    throw new ConfigurationError('useBigInt', "'useBigInt' and 'disableLosslessIntegers' cannot both be true; pick one integer representation")
  }
  if (parsed.encrypted !== undefined && (c.encrypted !== undefined || c.trust !== undefined)) {
    throw new ConfigurationError(c.encrypted !== undefined ? 'encrypted' : 'trust',
      `the '${parsed.scheme}://' scheme already sets encryption and trust; drop 'encrypted'/'trust' or use '${parsed.routing ? 'neo4j' : 'bolt'}://'`)
  }
  const encrypted = parsed.encrypted ?? (c.encrypted === true || c.encrypted === 'ENCRYPTION_ON')
  const trust = parsed.trust ?? (encrypted ? (c.trust ?? 'TRUST_SYSTEM_CA_SIGNED_CERTIFICATES') : undefined)
  if (c.trust === 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES' && (c.trustedCertificates ?? []).length === 0) {
    throw new ConfigurationError('trustedCertificates', "'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES' needs 'trustedCertificates' (paths of CA certificates)")
  }
  const pool = c.maxConnectionPoolSize ?? DEFAULTS.maxConnectionPoolSize
  const lifetime = c.maxConnectionLifetime ?? DEFAULTS.maxConnectionLifetime
  const connectTimeout = c.connectionTimeout ?? DEFAULTS.connectionTimeout
  return {
    url: parsed,
    encrypted,
    trust,
    trustedCertificates: [...(c.trustedCertificates ?? [])],
    fetchSize: c.fetchSize ?? DEFAULTS.fetchSize,
    maxConnectionPoolSize: pool < 0 ? Infinity : pool,
    maxTransactionRetryTime: c.maxTransactionRetryTime ?? DEFAULTS.maxTransactionRetryTime,
    maxConnectionLifetime: lifetime <= 0 ? Infinity : lifetime,
    connectionAcquisitionTimeout: c.connectionAcquisitionTimeout ?? DEFAULTS.connectionAcquisitionTimeout,
    connectionLivenessCheckTimeout: c.connectionLivenessCheckTimeout ?? undefined,
    connectionTimeout: connectTimeout > 0 ? connectTimeout : 0,
    disableLosslessIntegers: c.disableLosslessIntegers ?? false,
    useBigInt: c.useBigInt ?? false,
    logging: c.logging,
    resolver: c.resolver,
    userAgent: c.userAgent ?? DEFAULT_USER_AGENT,
    notificationFilter: c.notificationFilter,
    clientCertificate: resolveCertificateProvider(c.clientCertificate),
    telemetryDisabled: c.telemetryDisabled === true,
    retry: { ...DEFAULTS.retry, ...knownRetryDelays(c.retry ?? {}) },
    routingTablePurgeDelay: c.routingTablePurgeDelay ?? DEFAULTS.routingTablePurgeDelay,
    connectionIdleTimeout: c.connectionIdleTimeout ?? DEFAULTS.connectionIdleTimeout,
    receiveTimeout: c.receiveTimeout ?? DEFAULTS.receiveTimeout,
    unresponsiveProbeAfter: c.unresponsiveProbeAfter ?? DEFAULTS.unresponsiveProbeAfter,
    unresponsiveProbeTimeout: c.unresponsiveProbeTimeout ?? DEFAULTS.unresponsiveProbeTimeout,
    clock: c.clock ?? systemClock,
    warnings
  }
}

/** The retry delays given (unknown keys were only warned about: they must not reach the resolved config). */
function knownRetryDelays (value: RetryDelays): Partial<ResolvedRetry> {
  const keys: ReadonlyArray<keyof ResolvedRetry> = ['initialDelay', 'multiplier', 'maxDelay', 'jitter']
  return Object.fromEntries(keys.filter(k => value[k] !== undefined).map(k => [k, value[k]]))
}
