// Requests on a transaction: explicit ones (SessionBeginTransaction) and the
// managed ones testkit drives inside a transaction function (run only).

import { Transaction } from '../../lib/index.js'
import type { Context } from '../context.js'
import { BackendProblem } from '../protocol/problems.js'
import type { HandlerResult } from '../replies/reply.js'
import type { Fields } from './data.js'

export async function TransactionRun (context: Context, f: Fields): Promise<HandlerResult> {
  const { tx } = context.transactions.get(f.id('txId'))
  const result = tx.run(f.string('cypher'), f.params())
  const id = context.results.add(context.nextId(), { result, iterator: undefined })
  return { name: 'Result', data: { id } }
}

function explicit (context: Context, f: Fields, request: string): { id: unknown, tx: Transaction } {
  const id = f.id('txId')
  const { tx } = context.transactions.get(id)
  // A transaction function's transaction is committed by the driver, never by the caller.
  if (!(tx instanceof Transaction)) throw new BackendProblem(`${request}: transaction ${JSON.stringify(id)} belongs to a transaction function`)
  return { id, tx }
}

export async function TransactionCommit (context: Context, f: Fields): Promise<HandlerResult> {
  const { id, tx } = explicit(context, f, 'TransactionCommit')
  await tx.commit()
  return { name: 'Transaction', data: { id } }
}

export async function TransactionRollback (context: Context, f: Fields): Promise<HandlerResult> {
  const { id, tx } = explicit(context, f, 'TransactionRollback')
  await tx.rollback()
  return { name: 'Transaction', data: { id } }
}

export async function TransactionClose (context: Context, f: Fields): Promise<HandlerResult> {
  const { id, tx } = explicit(context, f, 'TransactionClose')
  await tx.close()
  return { name: 'Transaction', data: { id } }
}
