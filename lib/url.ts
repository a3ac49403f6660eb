// Connection URL parsing: scheme → routing on/off and TLS settings, host:port,
// and the routing context from the query string (sent in HELLO and ROUTE).

import { ConfigurationError } from './errors.js'

export type Scheme = 'neo4j' | 'neo4j+s' | 'neo4j+ssc' | 'bolt' | 'bolt+s' | 'bolt+ssc'
export type TrustStrategy = 'TRUST_ALL_CERTIFICATES' | 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES' | 'TRUST_SYSTEM_CA_SIGNED_CERTIFICATES'

export interface ParsedUrl {
  readonly scheme: Scheme
  /** neo4j* schemes route (ROUTE, routing table); bolt* schemes talk to one member. */
  readonly routing: boolean
  /** undefined: the scheme says nothing about encryption (plain neo4j:// and bolt://). */
  readonly encrypted: boolean | undefined
  readonly trust: TrustStrategy | undefined
  readonly host: string
  readonly port: number
  /** 'host:port' (IPv6 hosts in brackets). */
  readonly hostPort: string
  /** URL query parameters; the driver adds `address` when it sends them. */
  readonly routingContext: Readonly<Record<string, string>>
}

const SCHEMES: Record<Scheme, { routing: boolean, encrypted: boolean | undefined, trust: TrustStrategy | undefined }> = {
  neo4j: { routing: true, encrypted: undefined, trust: undefined },
  'neo4j+s': { routing: true, encrypted: true, trust: 'TRUST_SYSTEM_CA_SIGNED_CERTIFICATES' },
  'neo4j+ssc': { routing: true, encrypted: true, trust: 'TRUST_ALL_CERTIFICATES' },
  bolt: { routing: false, encrypted: undefined, trust: undefined },
  'bolt+s': { routing: false, encrypted: true, trust: 'TRUST_SYSTEM_CA_SIGNED_CERTIFICATES' },
  'bolt+ssc': { routing: false, encrypted: true, trust: 'TRUST_ALL_CERTIFICATES' }
}

export const DEFAULT_BOLT_PORT = 7687

function isScheme (value: string): value is Scheme {
  return Object.hasOwn(SCHEMES, value)
}

/** Parse a connection URL; throws ConfigurationError (key 'url') naming what is wrong. */
export function parseUrl (url: unknown): ParsedUrl {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new ConfigurationError('url', `the URL must be a non-empty string like 'neo4j://localhost:7687', got ${describe(url)}`)
  }
  const text = url.trim()
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text)
  if (schemeMatch === null) {
    throw new ConfigurationError('url', `'${text}' has no scheme; use one of ${Object.keys(SCHEMES).map(s => `${s}://`).join(', ')}`)
  }
  const scheme = (schemeMatch[1] ?? '').toLowerCase()
  if (!isScheme(scheme)) {
    throw new ConfigurationError('url', `unsupported URL scheme '${scheme}://' in '${text}'; use one of ${Object.keys(SCHEMES).map(s => `${s}://`).join(', ')}`)
  }
  let parsed: URL
  try {
    // WHATWG URL parses authority and query for non-special schemes too.
    parsed = new URL(text)
  } catch {
    throw new ConfigurationError('url', `'${text}' is not a valid URL (expected ${scheme}://host:port)`)
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new ConfigurationError('url', 'the URL must not contain credentials; pass them with auth.basic(user, password)')
  }
  const host = parsed.hostname
  if (host === '') throw new ConfigurationError('url', `'${text}' has no host`)
  if (parsed.pathname !== '' && parsed.pathname !== '/') {
    throw new ConfigurationError('url', `'${text}' has a path ('${parsed.pathname}'); a Neo4j URL is scheme://host:port[?routing context]`)
  }
  const port = parsed.port === '' ? DEFAULT_BOLT_PORT : Number(parsed.port)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigurationError('url', `'${text}' has an invalid port`)
  }
  const routingContext: Record<string, string> = {}
  for (const [key, value] of parsed.searchParams) {
    if (key === '') throw new ConfigurationError('url', `'${text}' has a query parameter with an empty name`)
    if (key === 'address') throw new ConfigurationError('url', "the routing context key 'address' is reserved (the driver sets it)")
    if (Object.hasOwn(routingContext, key)) throw new ConfigurationError('url', `routing context key '${key}' appears twice in '${text}'`)
    routingContext[key] = value
  }
  const info = SCHEMES[scheme]
  if (!info.routing && Object.keys(routingContext).length > 0) {
    throw new ConfigurationError('url', `'${scheme}://' does not route, so it takes no routing context (query) — use 'neo4j://' or drop '?${parsed.search.slice(1)}'`)
  }
  const hostPort = `${host}:${port}` // hostname keeps IPv6 brackets
  return { scheme, routing: info.routing, encrypted: info.encrypted, trust: info.trust, host, port, hostPort, routingContext }
}

/** Normalize 'host', 'host:port' or '[v6]:port' into 'host:port'; used for resolver output. */
export function normalizeAddress (address: string, defaultPort = DEFAULT_BOLT_PORT): string {
  const text = address.trim()
  if (text.startsWith('[')) {
    const end = text.indexOf(']')
    if (end < 0) throw new Error(`malformed address '${address}'`)
    const rest = text.slice(end + 1)
    return rest.startsWith(':') ? text : `${text.slice(0, end + 1)}:${defaultPort}`
  }
  const colons = text.split(':').length - 1
  if (colons === 0) return `${text}:${defaultPort}`
  if (colons === 1) return text
  return `[${text}]:${defaultPort}` // bare IPv6
}

/** Split 'host:port' (IPv6 in brackets) into parts. */
export function splitHostPort (hostPort: string): { host: string, port: number } {
  const normalized = normalizeAddress(hostPort)
  const at = normalized.lastIndexOf(':')
  let host = normalized.slice(0, at)
  if (host.startsWith('[')) host = host.slice(1, -1)
  return { host, port: Number(normalized.slice(at + 1)) }
}

export function describe (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string '${value.length > 40 ? value.slice(0, 37) + '...' : value}'`
  if (typeof value === 'number') return `the number ${value}`
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}
