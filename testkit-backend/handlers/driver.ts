// Driver-level requests: NewDriver (with the resolver callback), DriverClose,
// connectivity and server info, encryption and the pool view. Routing-table
// requests are in routing.ts, fake time in fake-time.ts.

import neo4j, { type AuthToken, type Config } from '../../lib/index.js'
import type { Context } from '../context.js'
import { BackendProblem, unsupported } from '../protocol/problems.js'
import { clientCertificateOf } from './auth.js'
import { NO_REPLY, type HandlerResult } from '../replies/reply.js'
import { protocolText } from '../replies/summary.js'
import type { Fields } from './data.js'

/** Where testkit's docker images keep custom CA certificates (NewDriver.trustedCertificates are file names). */
const CUSTOM_CA_DIR = '/usr/local/share/custom-ca-certificates/'

/** An AuthorizationToken's data as the driver's auth token. */
export function authToken (data: Record<string, unknown>): AuthToken {
  const scheme = data.scheme
  if (typeof scheme !== 'string') throw new BackendProblem('AuthorizationToken: scheme must be a string')
  const str = (v: unknown): string | undefined => typeof v === 'string' ? v : undefined
  switch (scheme) {
    case 'basic': return neo4j.auth.basic(str(data.principal) ?? '', str(data.credentials) ?? '', str(data.realm))
    case 'bearer': return neo4j.auth.bearer(str(data.credentials) ?? '')
    case 'kerberos': return neo4j.auth.kerberos(str(data.credentials) ?? '')
    case 'none': return neo4j.auth.none() as AuthToken // no credentials; AuthToken types them as a string, like the official driver
    default: {
      const parameters = data.parameters !== null && typeof data.parameters === 'object' ? data.parameters as Record<string, unknown> : undefined
      return neo4j.auth.custom(str(data.principal) ?? '', str(data.credentials) ?? '', str(data.realm) ?? '', scheme, parameters)
    }
  }
}

/** `{"name": "AuthorizationToken", "data": {...}}` → the driver's token. */
export function wrappedAuthToken (wrapped: Record<string, unknown>): AuthToken {
  const data = wrapped.data
  if (data === null || typeof data !== 'object') throw new BackendProblem('AuthorizationToken has no data')
  return authToken(data as Record<string, unknown>)
}

/** The driver/session notification filter from testkit's notifications fields, if any. */
export function notificationFilterOf (f: Fields): Config['notificationFilter'] {
  if (!f.has('notificationsMinSeverity') && !f.has('notificationsDisabledCategories')) return undefined
  const filter: Record<string, unknown> = {}
  const severity = f.optionalString('notificationsMinSeverity')
  if (severity !== undefined) filter.minimumSeverityLevel = severity
  const categories = f.optionalStrings('notificationsDisabledCategories')
  if (categories !== undefined) filter.disabledCategories = categories
  return filter as Config['notificationFilter']
}

function driverConfig (context: Context, f: Fields): Config {
  // Every driver of the connection reads the connection's clock, so FakeTime requests move its time.
  const config: Config = { useBigInt: true, clock: context.clock }
  if (f.optionalBoolean('domainNameResolverRegistered') === true) {
    throw unsupported('NewDriver.domainNameResolverRegistered', 'the driver has no DNS resolver hook (config.resolver maps addresses; names are resolved by the OS)')
  }
  if (f.has('clientCertificate') && f.has('clientCertificateProviderId')) throw new BackendProblem('NewDriver: clientCertificate and clientCertificateProviderId both set')
  if (f.has('clientCertificate')) config.clientCertificate = clientCertificateOf(f.raw('clientCertificate'))
  if (f.has('clientCertificateProviderId')) config.clientCertificate = context.certificateProviders.get(f.id('clientCertificateProviderId'))
  const userAgent = f.optionalString('userAgent')
  if (userAgent !== undefined) config.userAgent = userAgent
  if (f.optionalBoolean('resolverRegistered') === true) {
    config.resolver = async (address: string) => {
      const answer = await context.callBack('resolver', 'ResolverResolutionRequired', { address })
      const addresses = answer.addresses
      if (!Array.isArray(addresses) || !addresses.every(a => typeof a === 'string')) throw new BackendProblem('ResolverResolutionCompleted.addresses must be a list of strings')
      return addresses as string[]
    }
  }
  const ms: Array<[string, keyof Config]> = [
    ['connectionTimeoutMs', 'connectionTimeout'],
    ['maxTxRetryTimeMs', 'maxTransactionRetryTime'],
    ['livenessCheckTimeoutMs', 'connectionLivenessCheckTimeout'],
    ['connectionAcquisitionTimeoutMs', 'connectionAcquisitionTimeout'],
    ['maxConnectionLifetimeMs', 'maxConnectionLifetime'],
    ['maxConnectionPoolSize', 'maxConnectionPoolSize'],
    ['fetchSize', 'fetchSize']
  ]
  for (const [field, key] of ms) {
    const value = f.optionalNumber(field)
    if (value !== undefined) (config as Record<string, unknown>)[key] = value
  }
  const encrypted = f.optionalBoolean('encrypted')
  if (encrypted !== undefined) config.encrypted = encrypted ? 'ENCRYPTION_ON' : 'ENCRYPTION_OFF'
  // Present but null: trust the system CAs; [] : trust all; names: those CA files.
  if (f.raw('trustedCertificates') === null) {
    config.trust = 'TRUST_SYSTEM_CA_SIGNED_CERTIFICATES'
  } else {
    const certificates = f.optionalStrings('trustedCertificates')
    if (certificates !== undefined && certificates.length === 0) config.trust = 'TRUST_ALL_CERTIFICATES'
    if (certificates !== undefined && certificates.length > 0) {
      config.trust = 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES'
      config.trustedCertificates = certificates.map(name => CUSTOM_CA_DIR + name)
    }
  }
  const filter = notificationFilterOf(f)
  if (filter !== undefined) config.notificationFilter = filter
  const telemetryDisabled = f.optionalBoolean('telemetryDisabled')
  if (telemetryDisabled !== undefined) config.telemetryDisabled = telemetryDisabled
  return config
}

export async function NewDriver (context: Context, f: Fields): Promise<HandlerResult> {
  const wrapped = f.optionalObject('authorizationToken')
  if (wrapped !== undefined && f.has('authTokenManagerId')) throw new BackendProblem('NewDriver: authorizationToken and authTokenManagerId both set')
  const token = f.has('authTokenManagerId') ? context.authTokenManagers.get(f.id('authTokenManagerId')) : wrapped === undefined ? undefined : wrappedAuthToken(wrapped)
  const driver = neo4j.driver(f.string('uri'), token, driverConfig(context, f))
  const id = context.drivers.add(context.nextId(), driver)
  return { name: 'Driver', data: { id } }
}

export async function DriverClose (context: Context, f: Fields): Promise<HandlerResult> {
  const id = f.id('driverId')
  await context.drivers.get(id).close()
  return { name: 'Driver', data: { id } }
}

export async function VerifyConnectivity (context: Context, f: Fields): Promise<HandlerResult> {
  const id = f.id('driverId')
  await context.drivers.get(id).verifyConnectivity()
  return { name: 'Driver', data: { id } }
}

export async function GetServerInfo (context: Context, f: Fields): Promise<HandlerResult> {
  const info = await context.drivers.get(f.id('driverId')).getServerInfo()
  return {
    name: 'ServerInfo',
    data: { address: info.address ?? null, agent: info.agent ?? null, protocolVersion: protocolText(info.protocolVersion) }
  }
}

export async function CheckMultiDBSupport (context: Context, f: Fields): Promise<HandlerResult> {
  const id = f.id('driverId')
  return { name: 'MultiDBSupport', data: { id, available: await context.drivers.get(id).supportsMultiDb() } }
}

export async function CheckDriverIsEncrypted (context: Context, f: Fields): Promise<HandlerResult> {
  return { name: 'DriverIsEncrypted', data: { encrypted: context.drivers.get(f.id('driverId')).isEncrypted() } }
}

export async function GetConnectionPoolMetrics (context: Context, f: Fields): Promise<HandlerResult> {
  const address = f.string('address')
  // Pools are keyed 'host:port', or 'host:port(ip)' for each address a seed name resolved to.
  const members = context.drivers.get(f.id('driverId')).poolStats().members.filter(m => m.address === address || m.address.startsWith(`${address}(`))
  return {
    name: 'ConnectionPoolMetrics',
    data: { inUse: members.reduce((sum, m) => sum + m.inUse, 0), idle: members.reduce((sum, m) => sum + m.idle, 0) }
  }
}

export async function ResolverResolutionCompleted (context: Context, f: Fields): Promise<HandlerResult> {
  context.complete('resolver', f.id('requestId'), { addresses: f.raw('addresses') })
  return NO_REPLY
}
