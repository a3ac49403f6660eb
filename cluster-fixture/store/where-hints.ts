// What a MATCH clause's WHERE pins down, so the matcher can start from an
// index instead of a scan: `id(n) = $id`, `elementId(n) = $eid` (a direct
// lookup) and `n.key = $value` on a labelled node (the (label, key, value)
// index, like an inline `{key: $value}`). Only top-level AND conjuncts whose
// other side uses no variables count. The WHERE still filters every row, so a
// hint can only make matching faster, never change its result.

import type { Clause, Expr } from './ast.js'
import { isAggregateCall, walkExpr } from './analyze.js'
import { evaluate, type EvalContext } from './evaluate.js'
import { nodeElementId, setEntry, type Row, type ValueMap } from './runtime-values.js'

export interface Lookups {
  /** Node variable → the node id WHERE requires. */
  readonly ids: ReadonlyMap<string, number>
  /** Node variable → properties WHERE requires to be equal to these values. */
  readonly equalities: ReadonlyMap<string, ValueMap>
}

export const NO_LOOKUPS: Lookups = { ids: new Map(), equalities: new Map() }

type Hint =
  | { kind: 'id', variable: string, value: Expr, element: boolean }
  | { kind: 'property', variable: string, key: string, value: Expr }

const cache = new WeakMap<object, Hint[]>()

function conjuncts (expr: Expr, into: Expr[] = []): Expr[] {
  if (expr.kind === 'binary' && expr.op === 'AND') {
    conjuncts(expr.left, into)
    conjuncts(expr.right, into)
  } else into.push(expr)
  return into
}

function isConstant (expr: Expr): boolean {
  let constant = true
  walkExpr(expr, e => { if (e.kind === 'variable' || e.kind === 'listComprehension' || isAggregateCall(e)) constant = false })
  return constant
}

function hintFrom (side: Expr, other: Expr, nodeVariables: ReadonlySet<string>, labelled: ReadonlySet<string>): Hint | null {
  if (!isConstant(other)) return null
  if (side.kind === 'call' && (side.name === 'id' || side.name === 'elementid') && side.args.length === 1) {
    const arg = side.args[0]
    if (arg.kind === 'variable' && nodeVariables.has(arg.name)) return { kind: 'id', variable: arg.name, value: other, element: side.name === 'elementid' }
  }
  if (side.kind === 'property' && side.object.kind === 'variable' && labelled.has(side.object.name)) {
    return { kind: 'property', variable: side.object.name, key: side.key, value: other }
  }
  return null
}

/** The hints of a MATCH clause (computed once per parsed clause). */
export function whereHints (clause: Extract<Clause, { kind: 'match' }>): Hint[] {
  let hints = cache.get(clause)
  if (hints !== undefined) return hints
  hints = []
  const nodes = clause.patterns.flatMap(pattern => pattern.nodes)
  const nodeVariables = new Set(nodes.flatMap(node => (node.variable !== null ? [node.variable] : [])))
  const labelled = new Set(nodes.flatMap(node => (node.variable !== null && node.labels.length > 0 ? [node.variable] : [])))
  for (const conjunct of clause.where === null ? [] : conjuncts(clause.where)) {
    if (conjunct.kind !== 'binary' || conjunct.op !== '=') continue
    const hint = hintFrom(conjunct.left, conjunct.right, nodeVariables, labelled) ?? hintFrom(conjunct.right, conjunct.left, nodeVariables, labelled)
    if (hint !== null) hints.push(hint)
  }
  cache.set(clause, hints)
  return hints
}

/** Evaluates the hints for one input row; a value that cannot be an id or an indexed value is skipped. */
export function lookupsFor (hints: Hint[], row: Row, ctx: EvalContext): Lookups {
  if (hints.length === 0) return NO_LOOKUPS
  const ids = new Map<string, number>()
  const equalities = new Map<string, ValueMap>()
  for (const hint of hints) {
    const value = evaluate(hint.value, row, ctx)
    if (hint.kind === 'property') {
      if (value === null || typeof value === 'object') continue
      const map = equalities.get(hint.variable) ?? {}
      setEntry(map, hint.key, value)
      equalities.set(hint.variable, map)
      continue
    }
    let id: number | undefined
    if (!hint.element && (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)))) id = Number(value)
    if (hint.element && typeof value === 'string') {
      const prefix = nodeElementId(ctx.graph.databaseName, 0).slice(0, -1)
      if (value.startsWith(prefix) && /^\d+$/.test(value.slice(prefix.length))) id = Number(value.slice(prefix.length))
    }
    if (id !== undefined && !ids.has(hint.variable)) ids.set(hint.variable, id)
  }
  return { ids, equalities }
}
