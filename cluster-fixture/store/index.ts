// The cluster fixture's query engine: a Cypher subset over an in-memory
// property graph, one GraphStore per database copy per member.
//
// How the cluster layer uses it
// -----------------------------
//   const statement = parseStatement(text)            // cached by text; throws FixtureError SyntaxError
//   if (statement.kind !== 'query') → administration command: the cluster layer executes it
//     (createDatabase, dropDatabase, alterDatabase, startDatabase, stopDatabase,
//      showDatabases, showServers); for SHOW it builds one CypherMap per row and calls
//     projectShowRows(rows, defaultColumns, statement.tail, params) → QueryResult.
//   else:
//     if (statement.updating) take the database's write lock (held until commit/rollback)
//     const tx = new StoreTransaction(store, { now: Date.now })   // one per Bolt transaction
//     const result = tx.execute(statement, params)                 // synchronous QueryResult; throws FixtureError
//     …more statements…
//     commit: if (tx.hasWrites) replicate tx.ops through Raft; every member, leader included,
//             runs store.apply(ops) when the entry commits; then release the lock.
//     rollback: drop tx (nothing to undo: the store was never touched).
//
// Raft snapshots: GraphStore.snapshot() is plain, id-ordered data; GraphStore.fromSnapshot(name,
// snapshot) rebuilds an equal store (ids and id counters included).
//
// Performance: statements are parsed once per text (LRU of 1000). Nodes are indexed by label and
// by (label, key, value) for every property; MATCH/MERGE start from `(n:L {k: v})`, from
// `WHERE n.k = v` on a labelled node, or from `WHERE id(n) = x` / `elementId(n) = x` without
// scanning. Reading clauses stream; updating clauses take their input first (Neo4j's eager barrier).
//
// Guarantees
// - A store is built only by apply(ops); ops carry concrete ids and values
//   (datetime(), timestamp(), randomUUID() are evaluated once, on the leader),
//   so members that applied the same ops hold equal graphs (GraphStore.snapshot()).
// - A transaction's writes are invisible to the store and to other
//   transactions until applied; a failing statement discards only its own effects.
// - Element ids: nodes "4:<database>:<id>", relationships "5:<database>:<id>".
// - QueryResult.queryType follows Neo4j: 'r' read-only; 'w' writes without
//   result columns (e.g. `MERGE (:City {name: $n})`); 'rw' writes that return
//   columns (e.g. `MERGE (c:City {name: $n}) RETURN c`).
// - Parsed statements are shared (cached): treat them as read-only.
// - Everything outside the subset fails with Neo.ClientError.Statement.SyntaxError
//   whose message names the unsupported part ("Not supported by the cluster fixture: CALL").

export type {
  AdminStatement, Clause, Expr, PathPattern, Projection, QueryStatement, ShowTail, ShowYield, Statement
} from './ast.js'
export { parseStatement, clearParseCache } from './parser.js'
export { GraphStore, type GraphSnapshot, type MutationOp, type GraphReader } from './graph.js'
export { StoreTransaction, type StoreTransactionOptions } from './transaction.js'
export { projectShowRows } from './show.js'
export { nodeElementId, relationshipElementId } from './runtime-values.js'
