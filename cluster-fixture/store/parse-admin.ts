// Administration commands the cluster layer executes against `system`:
// CREATE / DROP / ALTER / START / STOP DATABASE, SHOW DATABASE(S), SHOW SERVERS.
// Database names follow Neo4j's rules and are normalised to lower case.

import { FixtureError } from '../errors.js'
import { describePosition } from './lexer.js'
import type { AdminStatement, ShowTail, ShowYield } from './ast.js'
import { parseExpression } from './parse-expression.js'
import { parseOrderSkipLimit, parseProjection } from './parse-query.js'
import type { TokenStream } from './token-stream.js'

/** Whether the statement starts like an administration command this module parses. */
export function isAdminCommand (s: TokenStream): boolean {
  const first = s.isName() && s.peek().type === 'ident' ? s.peek().text.toUpperCase() : ''
  switch (first) {
    case 'SHOW': return true
    case 'CREATE':
      return s.isKeyword('DATABASE', 1) || (s.isKeyword('OR', 1) && s.isKeyword('REPLACE', 2) && s.isKeyword('DATABASE', 3))
    case 'DROP': case 'ALTER': case 'START': case 'STOP':
      return s.isKeyword('DATABASE', 1)
    default: return false
  }
}

/** Schema and security commands that start with CREATE/DROP: named as unsupported rather than misparsed as patterns. */
export function unsupportedSchemaCommand (s: TokenStream): string | null {
  if (!s.isKeyword('CREATE') && !s.isKeyword('DROP') && !s.isKeyword('ALTER')) return null
  const verb = s.peek().text.toUpperCase()
  const words = ['INDEX', 'CONSTRAINT', 'RANGE', 'TEXT', 'POINT', 'LOOKUP', 'FULLTEXT', 'VECTOR', 'BTREE', 'USER', 'ROLE',
    'ALIAS', 'COMPOSITE', 'SERVER', 'OR']
  for (const word of words) {
    if (s.isKeyword(word, 1)) return `${verb} ${word === 'OR' ? 'OR REPLACE' : word} …`
  }
  return null
}

export function parseAdminCommand (s: TokenStream): AdminStatement {
  const start = s.peek().start
  const verb = s.next().text.toUpperCase()
  let statement: AdminStatement
  switch (verb) {
    case 'SHOW': statement = parseShow(s, start); break
    case 'CREATE': statement = parseCreateDatabase(s); break
    case 'DROP': statement = parseDropDatabase(s); break
    case 'ALTER': statement = parseAlterDatabase(s); break
    default: {
      s.expectKeywords('DATABASE')
      const name = parseDatabaseName(s)
      const wait = parseWait(s)
      statement = { kind: verb === 'START' ? 'startDatabase' : 'stopDatabase', name, ...(wait ? { wait: wait.wait } : {}) }
    }
  }
  s.acceptOp(';')
  if (!s.atEnd) throw s.unexpected('end of input')
  return statement
}

function parseShow (s: TokenStream, start: number): AdminStatement {
  if (s.acceptKeywords('DATABASES') || s.acceptKeywords('DATABASE')) {
    const name = s.isName() && !isTailKeyword(s) ? parseDatabaseName(s) : undefined
    return { kind: 'showDatabases', ...(name !== undefined ? { name } : {}), tail: parseShowTail(s) }
  }
  if (s.acceptKeywords('DEFAULT', 'DATABASE')) return { kind: 'showDatabases', scope: 'default', tail: parseShowTail(s) }
  if (s.acceptKeywords('HOME', 'DATABASE')) return { kind: 'showDatabases', scope: 'home', tail: parseShowTail(s) }
  if (s.acceptKeywords('SERVERS') || s.acceptKeywords('SERVER')) return { kind: 'showServers', tail: parseShowTail(s) }
  const words: string[] = []
  for (let i = 0; i < 3 && s.peek(i).type === 'ident' && !isTailKeywordAt(s, i); i++) words.push(s.peek(i).text.toUpperCase())
  throw s.unsupported(`SHOW ${words.join(' ')}`.trim(), start)
}

function isTailKeyword (s: TokenStream): boolean {
  return isTailKeywordAt(s, 0)
}

function isTailKeywordAt (s: TokenStream, ahead: number): boolean {
  return s.peek(ahead).type === 'ident' && ['YIELD', 'WHERE', 'RETURN'].includes(s.peek(ahead).text.toUpperCase())
}

function parseShowTail (s: TokenStream): ShowTail {
  if (s.acceptKeywords('YIELD')) {
    const yieldClause = parseYield(s)
    const where = s.acceptKeywords('WHERE') ? parseExpression(s) : null
    const projection = s.acceptKeywords('RETURN') ? parseProjection(s, 'RETURN') : null
    return { yield: yieldClause, where, return: projection }
  }
  const where = s.acceptKeywords('WHERE') ? parseExpression(s) : null
  if (s.isKeyword('RETURN')) throw s.errorAt(s.peek().start, 'RETURN is only allowed after YIELD in a SHOW command')
  return { yield: null, where, return: null }
}

function parseYield (s: TokenStream): ShowYield {
  const items: ShowYield['items'] = []
  const star = s.acceptOp('*')
  if (!star) {
    do {
      const column = s.expectName('a column name')
      const alias = s.acceptKeywords('AS') ? s.expectName('a variable name after AS') : column
      items.push({ column, alias })
    } while (s.acceptOp(','))
  }
  return { star, items, ...parseOrderSkipLimit(s) }
}

function parseCreateDatabase (s: TokenStream): AdminStatement {
  const orReplace = s.acceptKeywords('OR', 'REPLACE')
  s.expectKeywords('DATABASE')
  const nameAt = s.peek().start
  const name = parseDatabaseName(s)
  validateNewDatabaseName(name, s, nameAt)
  const ifNotExists = s.acceptKeywords('IF', 'NOT', 'EXISTS')
  if (orReplace && ifNotExists) {
    throw s.errorAt(nameAt, `Failed to create the specified database '${name}': cannot have both \`OR REPLACE\` and \`IF NOT EXISTS\``)
  }
  const statement: AdminStatement = { kind: 'createDatabase', name, ifNotExists, orReplace }
  if (s.acceptKeywords('TOPOLOGY')) Object.assign(statement, parseTopology(s))
  if (s.isKeyword('OPTIONS')) throw s.unsupported('CREATE DATABASE … OPTIONS')
  const wait = parseWait(s)
  if (wait) Object.assign(statement, wait)
  return statement
}

function parseDropDatabase (s: TokenStream): AdminStatement {
  if (s.isKeyword('COMPOSITE')) throw s.unsupported('composite databases')
  s.expectKeywords('DATABASE')
  const name = parseDatabaseName(s)
  const ifExists = s.acceptKeywords('IF', 'EXISTS')
  if (s.acceptKeywords('RESTRICT') || s.acceptKeywords('CASCADE')) s.expectKeywords('ALIASES')
  if (s.acceptKeywords('DUMP') || s.acceptKeywords('DESTROY')) s.expectKeywords('DATA')
  const wait = parseWait(s)
  return { kind: 'dropDatabase', name, ifExists, ...(wait ?? {}) }
}

function parseAlterDatabase (s: TokenStream): AdminStatement {
  s.expectKeywords('DATABASE')
  const name = parseDatabaseName(s)
  const ifExists = s.acceptKeywords('IF', 'EXISTS')
  const statement: AdminStatement = { kind: 'alterDatabase', name, ifExists }
  let changed = false
  while (s.acceptKeywords('SET')) {
    changed = true
    if (s.acceptKeywords('ACCESS', 'READ')) {
      if (s.acceptKeywords('ONLY')) statement.access = 'read-only'
      else { s.expectKeywords('WRITE'); statement.access = 'read-write' }
    } else if (s.acceptKeywords('TOPOLOGY')) {
      Object.assign(statement, parseTopology(s))
    } else throw s.unsupported(`ALTER DATABASE … SET ${s.peek().text.toUpperCase()}`)
  }
  if (s.isKeyword('REMOVE')) throw s.unsupported('ALTER DATABASE … REMOVE OPTION')
  if (!changed) throw s.unexpected('SET')
  parseWait(s)
  return statement
}

/** `3 PRIMARIES 2 SECONDARIES`, either order, each at most once. */
function parseTopology (s: TokenStream): { primaries?: number, secondaries?: number } {
  const topology: { primaries?: number, secondaries?: number } = {}
  while (s.peek().type === 'int') {
    const count = Number(s.next().value as bigint)
    if (s.acceptKeywords('PRIMARY') || s.acceptKeywords('PRIMARIES')) {
      if (topology.primaries !== undefined) throw s.errorAt(s.peek().start, 'Duplicate PRIMARIES clause')
      topology.primaries = count
    } else if (s.acceptKeywords('SECONDARY') || s.acceptKeywords('SECONDARIES')) {
      if (topology.secondaries !== undefined) throw s.errorAt(s.peek().start, 'Duplicate SECONDARIES clause')
      topology.secondaries = count
    } else throw s.unexpected('PRIMARIES or SECONDARIES')
  }
  if (topology.primaries === undefined && topology.secondaries === undefined) throw s.unexpected('a number of PRIMARIES or SECONDARIES')
  return topology
}

function parseWait (s: TokenStream): { wait: boolean, waitSeconds?: number } | null {
  if (s.acceptKeywords('NOWAIT')) return { wait: false }
  if (!s.acceptKeywords('WAIT')) return null
  if (s.peek().type !== 'int') return { wait: true }
  const waitSeconds = Number(s.next().value as bigint)
  if (!s.acceptKeywords('SEC')) if (!s.acceptKeywords('SECOND')) s.acceptKeywords('SECONDS')
  return { wait: true, waitSeconds }
}

/**
 * A database name: a backquoted name, or words, digits, dots and dashes
 * written without spaces (`my-db.v2`). Lower-cased: Neo4j's names are case-insensitive.
 */
export function parseDatabaseName (s: TokenStream): string {
  const first = s.peek()
  if (first.type === 'qident') {
    s.next()
    return (first.value as string).toLowerCase()
  }
  if (first.type === 'param') throw s.unsupported('database names given as parameters')
  if (first.type !== 'ident') throw s.unexpected('a database name')
  let name = first.text
  let end = first.end
  s.next()
  while (true) {
    const token = s.peek()
    if (token.start !== end) break
    if (token.type === 'ident' || token.type === 'int' || (token.type === 'op' && (token.text === '-' || token.text === '.')) ||
      (token.type === 'float' && /^[0-9.]+$/.test(token.text))) {
      name += token.text
      end = token.end
      s.next()
    } else break
  }
  return name.toLowerCase()
}

/** Neo4j's rules for names of new databases. */
function validateNewDatabaseName (name: string, s: TokenStream, at: number): void {
  const problem = (reason: string): never => {
    throw new FixtureError('ArgumentError', `The provided database name '${name}' is invalid: ${reason} (${describePosition(s.text, at)})`)
  }
  if (name.length < 3 || name.length > 63) problem('the name must have between 3 and 63 characters')
  if (!/^[a-z]/.test(name)) problem('the name must start with an ASCII letter')
  if (!/^[a-z0-9.-]+$/.test(name)) problem('the name may only contain ASCII letters, digits, dots and dashes')
  if (name.startsWith('system')) problem('names starting with \'system\' are reserved')
}
