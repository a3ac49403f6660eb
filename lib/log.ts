// Logging: `debug` namespaces (neo4j-cluster:routing, :pool, :retry, :session)
// plus the official driver's `logging: { level, logger }` option. Messages are
// built from addresses, database names, codes and timings only — never from
// auth tokens — so `DEBUG=neo4j-cluster:*` output is safe to paste in an issue.

import createDebug from 'debug'

export type LogLevel = 'error' | 'warn' | 'info' | 'debug'

/** The official driver's `logging` option. */
export interface LoggingConfig {
  level?: LogLevel
  logger: (level: LogLevel, message: string) => void
  /** Accepted for compatibility: this driver never logs credentials, so there is nothing to unredact. */
  unredactDebugLogs?: boolean
}

export type Topic = 'routing' | 'pool' | 'retry' | 'session' | 'driver'

export type LogFunction = (message: string, level?: LogLevel) => void

export interface Log {
  readonly routing: LogFunction
  readonly pool: LogFunction
  readonly retry: LogFunction
  readonly session: LogFunction
  readonly driver: LogFunction
  /** Whether a message at `level` for `topic` would go anywhere (skip building costly messages). */
  enabled: (topic: Topic, level?: LogLevel) => boolean
}

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 }

const debuggers = new Map<Topic, createDebug.Debugger>()
function debuggerFor (topic: Topic): createDebug.Debugger {
  let d = debuggers.get(topic)
  if (d === undefined) {
    d = createDebug(`neo4j-cluster:${topic}`)
    debuggers.set(topic, d)
  }
  return d
}

export function createLog (logging?: LoggingConfig): Log {
  const threshold = LEVELS[logging?.level ?? 'info']
  const make = (topic: Topic): LogFunction => {
    const d = debuggerFor(topic)
    return (message, level = 'debug') => {
      if (d.enabled) d(`${level === 'debug' ? '' : `${level.toUpperCase()} `}${message}`)
      if (logging !== undefined && LEVELS[level] <= threshold) {
        try { logging.logger(level, `[${topic}] ${message}`) } catch { /* a faulty user logger must not break the driver */ }
      }
    }
  }
  return {
    routing: make('routing'),
    pool: make('pool'),
    retry: make('retry'),
    session: make('session'),
    driver: make('driver'),
    enabled: (topic, level = 'debug') => debuggerFor(topic).enabled || (logging !== undefined && LEVELS[level] <= threshold)
  }
}

/** A log that drops everything (unit tests, internal helpers). */
export const silentLog: Log = {
  routing: () => {},
  pool: () => {},
  retry: () => {},
  session: () => {},
  driver: () => {},
  enabled: () => false
}

/** The official driver's `neo4j.logging.console(level)` helper. */
export const logging = {
  console: (level: LogLevel = 'info'): LoggingConfig => ({
    level,
    logger: (lvl, message) => { console.log(`${new Date().toISOString()} ${lvl.toUpperCase()} ${message}`) }
  })
}
