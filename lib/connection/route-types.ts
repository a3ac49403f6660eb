// What one connection-level ROUTE exchange takes and gives, and where a
// connection goes. Plain types with no I/O: the routing layer builds the
// request and turns the reply into a table, the connection layer sends it.
// They live here, below routing/, so connection/ never has to look up.

/** Where to connect. */
export interface ConnectionTarget {
  /** 'host:port' as the routing table or URL names it; also the pool key. */
  readonly hostPort: string
  /** An IP the seed's DNS name resolved to (TLS still uses the host name for SNI). */
  readonly resolvedHost?: string
}

/** What ROUTE (or the routing procedure before Bolt 4.3) is asked with. */
export interface RouteRequest {
  readonly routingContext: Readonly<Record<string, string>>
  readonly database: string | null
  readonly impersonatedUser: string | null
  readonly bookmarks: readonly string[]
}

/** The shape of a ROUTE reply's `rt` after integer conversion. */
export interface RouteReply {
  ttl: number
  db?: string | null
  servers: Array<{ role: string, addresses: string[] }>
}
