// Unknown option names. The official driver ignores keys it does not know
// (libraries such as neogma pass their own settings through to driver()), so
// we ignore them too — but never silently: the caller gets a warning with a
// "did you mean" for a misspelt name, or says where the option belongs when
// it is known in another scope ('database' given to driver()). Warnings go to
// the driver's logging config and the diagnostics warning channel, once per
// driver and message, so a session created in a loop does not flood the log.

import type { ConfigurationScope } from './errors.js'
import { publish } from './events.js'
import type { Log } from './log.js'
import { isOptionOf, OPTION_NAMES } from './option-names.js'

/** Where each scope's options are given, for "it is a … option" hints. */
const WHERE: Record<ConfigurationScope, string> = {
  driver: 'driver(url, auth, config)',
  session: 'driver.session(config)',
  transaction: 'the transaction config (executeRead/executeWrite/beginTransaction/run)',
  executeQuery: "executeQuery's config",
  refreshRoutingTable: 'refreshRoutingTable(database, options)',
  verifyConnectivity: 'verifyConnectivity(config)',
  bookmarkManager: 'bookmarkManager(config)'
}

/** The scopes whose options users mix up (the others are single-method argument objects). */
const HINTED_SCOPES: readonly ConfigurationScope[] = ['driver', 'session', 'transaction', 'executeQuery']

/** Levenshtein distance, for "did you mean" hints on misspelt option names. */
function editDistance (a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/** The candidate closest to `word`, if it is close enough to be a typo of it. */
export function closest (word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase()
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(word.length / 4)) + 1
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) { best = candidate; bestDistance = distance }
  }
  return best
}

/**
 * "ignoring unknown session option 'databse' (did you mean 'database'?)", or,
 * for a name another scope knows, where it belongs instead. `nested` is for a
 * key inside an object option (`logging.levle`): hints come from its keys.
 */
export function unknownOptionMessage (scope: ConfigurationScope, key: string, nested?: { parent: string, keys: readonly string[] }): string {
  const name = nested === undefined ? key : `${nested.parent}.${key}`
  const head = `ignoring unknown ${scope} option '${name}'`
  if (nested === undefined) {
    const places = HINTED_SCOPES.filter(other => other !== scope && isOptionOf(other, key)).map(other => WHERE[other])
    if (places.length > 0) return `${head}: it is an option of ${places.join(' and of ')}, not of ${WHERE[scope]}`
  }
  const hint = closest(key, nested?.keys ?? OPTION_NAMES[scope])
  return hint !== undefined ? `${head} (did you mean '${nested === undefined ? '' : `${nested.parent}.`}${hint}'?)` : head
}

const reported = new WeakMap<Log, Set<string>>()

/** Log `message` at warn level on the driver's log and publish it on the warning channel, once per driver. */
export function warnOnce (log: Log | undefined, message: string): void {
  if (log !== undefined) {
    let seen = reported.get(log)
    if (seen === undefined) { seen = new Set(); reported.set(log, seen) }
    if (seen.has(message)) return
    seen.add(message)
    log.driver(message, 'warn')
  }
  publish.warning({ message })
}
