// The one place the cluster layer touches the query engine (store/): parsing,
// database copies, transactions and SHOW projections.

export { GraphStore, type MutationOp } from '../store/graph.js'
export { StoreTransaction } from '../store/transaction.js'
export { parseStatement, type AdminStatement, type QueryStatement, type ShowTail, type Statement } from '../store/parser.js'
export { projectShowRows } from '../store/show.js'
