// The syntax tree of the Cypher subset and of the administration commands the
// cluster fixture understands. Plain data: the parser builds it once per query
// text (then caches it), the executor only reads it.

import type { CypherValue } from '../values.js'

// ---------------------------------------------------------------- expressions

export type BinaryOperator =
  | '+' | '-' | '*' | '/' | '%' | '^'
  | '=' | '<>' | '<' | '<=' | '>' | '>='
  | 'AND' | 'OR' | 'XOR'
  | 'IN' | 'STARTS WITH' | 'ENDS WITH' | 'CONTAINS' | '=~'

export type Expr =
  | { kind: 'literal', value: CypherValue }
  | { kind: 'param', name: string }
  | { kind: 'variable', name: string }
  | { kind: 'property', object: Expr, key: string }
  | { kind: 'index', object: Expr, index: Expr }
  | { kind: 'slice', object: Expr, from: Expr | null, to: Expr | null }
  | { kind: 'list', items: Expr[] }
  | { kind: 'map', entries: Array<{ key: string, value: Expr }> }
  | { kind: 'binary', op: BinaryOperator, left: Expr, right: Expr }
  | { kind: 'not', operand: Expr }
  | { kind: 'negate', operand: Expr }
  | { kind: 'isNull', operand: Expr, negated: boolean }
  | { kind: 'hasLabels', operand: Expr, labels: string[] }
  /** name is lower-cased; `text` is the call as written, used in messages. */
  | { kind: 'call', name: string, distinct: boolean, args: Expr[], text: string }
  | { kind: 'countStar' }
  | { kind: 'case', operand: Expr | null, branches: Array<{ when: Expr, then: Expr }>, otherwise: Expr | null }
  | { kind: 'listComprehension', variable: string, source: Expr, where: Expr | null, map: Expr | null }

export const AGGREGATE_FUNCTIONS: ReadonlySet<string> = new Set(['count', 'collect', 'sum', 'avg', 'min', 'max'])

// ------------------------------------------------------------------- patterns

export interface NodePattern {
  variable: string | null
  labels: string[]
  /** A map literal or a parameter (CREATE only); compared by equality when matching. */
  properties: Expr | null
}

export type Direction = 'out' | 'in' | 'both'

export interface RelationshipPattern {
  variable: string | null
  types: string[]
  direction: Direction
  properties: Expr | null
}

/** `p = (a)-[r]->(b)<-[s]-(c)`: nodes.length === relationships.length + 1. */
export interface PathPattern {
  pathVariable: string | null
  nodes: NodePattern[]
  relationships: RelationshipPattern[]
}

// -------------------------------------------------------------------- clauses

export interface ProjectionItem {
  expr: Expr
  /** Output column: the alias, or the expression as written (Neo4j names unaliased columns that way). */
  name: string
  aliased: boolean
}

export interface SortItem {
  expr: Expr
  descending: boolean
  /** Source text, matched against projection items (`ORDER BY count(*)`). */
  text: string
}

export interface Projection {
  distinct: boolean
  /** `RETURN *` / `WITH *`: every variable in scope, then the listed items. */
  star: boolean
  items: ProjectionItem[]
  orderBy: SortItem[]
  skip: Expr | null
  limit: Expr | null
}

export type SetItem =
  | { kind: 'setProperty', target: Expr, key: string, value: Expr }
  | { kind: 'setProperties', variable: string, value: Expr, replace: boolean }
  | { kind: 'setLabels', variable: string, labels: string[] }

export type RemoveItem =
  | { kind: 'removeProperty', target: Expr, key: string }
  | { kind: 'removeLabels', variable: string, labels: string[] }

export type Clause =
  | { kind: 'match', optional: boolean, patterns: PathPattern[], where: Expr | null }
  | { kind: 'create', patterns: PathPattern[] }
  | { kind: 'merge', pattern: PathPattern, onCreate: SetItem[], onMatch: SetItem[] }
  | { kind: 'set', items: SetItem[] }
  | { kind: 'remove', items: RemoveItem[] }
  | { kind: 'delete', detach: boolean, targets: Expr[] }
  | { kind: 'unwind', expr: Expr, variable: string }
  | { kind: 'with', projection: Projection, where: Expr | null }
  | { kind: 'return', projection: Projection }

export const UPDATING_CLAUSES: ReadonlySet<Clause['kind']> = new Set(['create', 'merge', 'set', 'remove', 'delete'])

// ----------------------------------------------------------------- statements

export interface QueryStatement {
  kind: 'query'
  text: string
  clauses: Clause[]
  /** true when any clause writes: the cluster layer takes the database's write lock first. */
  updating: boolean
  /** Neo4j's rule: read-only → 'r'; writes and no result columns → 'w'; writes and columns → 'rw'. */
  queryType: 'r' | 'w' | 'rw'
  /** Result columns, known before execution (they are the RUN reply's `fields`). */
  columns: string[]
  /** Every parameter the statement refers to; a missing one fails before anything runs. */
  parameters: string[]
}

/** `YIELD … [ORDER BY …] [SKIP …] [LIMIT …] [WHERE …] [RETURN …]` after a SHOW command. */
export interface ShowTail {
  /** null: no YIELD (the command's default columns). */
  yield: ShowYield | null
  /** The WHERE after YIELD, or directly after the command. */
  where: Expr | null
  return: Projection | null
}

export interface ShowYield {
  star: boolean
  items: Array<{ column: string, alias: string }>
  orderBy: SortItem[]
  skip: Expr | null
  limit: Expr | null
}

export type AdminStatement =
  | {
    kind: 'createDatabase'
    name: string
    ifNotExists: boolean
    orReplace: boolean
    primaries?: number
    secondaries?: number
    /** WAIT / NOWAIT; undefined when neither was written. */
    wait?: boolean
    waitSeconds?: number
  }
  | { kind: 'dropDatabase', name: string, ifExists: boolean, wait?: boolean, waitSeconds?: number }
  | { kind: 'alterDatabase', name: string, ifExists: boolean, primaries?: number, secondaries?: number, access?: 'read-write' | 'read-only' }
  | { kind: 'startDatabase', name: string, wait?: boolean }
  | { kind: 'stopDatabase', name: string, wait?: boolean }
  /** SHOW DATABASES, SHOW DATABASE name, SHOW DEFAULT DATABASE, SHOW HOME DATABASE. */
  | { kind: 'showDatabases', name?: string, scope?: 'default' | 'home', tail: ShowTail }
  | { kind: 'showServers', tail: ShowTail }

export type Statement = QueryStatement | AdminStatement
