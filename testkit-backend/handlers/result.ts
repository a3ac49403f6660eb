// Result requests. Next and Peek share one async iterator per result (the
// driver's pull-based, peekable iterator); List uses the awaitable result when
// nothing was read yet and otherwise drains the same iterator, so records
// already handed out are not repeated; Consume is result.summary().

import type { Context, ResultEntry } from '../context.js'
import { BackendProblem } from '../protocol/problems.js'
import type { HandlerResult } from '../replies/reply.js'
import { recordJson, summaryJson } from '../replies/summary.js'
import type { Fields } from './data.js'

/** More records than any testkit test streams; a guard against a runaway loop. */
const MAX_LIST_RECORDS = 10_000_000

function iteratorOf (entry: ResultEntry): NonNullable<ResultEntry['iterator']> {
  entry.iterator ??= entry.result[Symbol.asyncIterator]()
  return entry.iterator
}

export async function ResultNext (context: Context, f: Fields): Promise<HandlerResult> {
  const next = await iteratorOf(context.results.get(f.id('resultId'))).next()
  return next.done === true ? { name: 'NullRecord', data: {} } : { name: 'Record', data: recordJson(next.value) }
}

export async function ResultPeek (context: Context, f: Fields): Promise<HandlerResult> {
  const next = await iteratorOf(context.results.get(f.id('resultId'))).peek()
  return next.done === true ? { name: 'NullRecord', data: {} } : { name: 'Record', data: recordJson(next.value) }
}

export async function ResultList (context: Context, f: Fields): Promise<HandlerResult> {
  const entry = context.results.get(f.id('resultId'))
  if (entry.iterator === undefined) {
    const { records } = await entry.result
    return { name: 'RecordList', data: { records: records.map(recordJson) } }
  }
  const records: Array<ReturnType<typeof recordJson>> = []
  for (let i = 0; i < MAX_LIST_RECORDS; i++) {
    const next = await entry.iterator.next()
    if (next.done === true) return { name: 'RecordList', data: { records } }
    records.push(recordJson(next.value))
  }
  throw new BackendProblem(`ResultList: more than ${MAX_LIST_RECORDS} records`)
}

export async function ResultConsume (context: Context, f: Fields): Promise<HandlerResult> {
  return { name: 'Summary', data: summaryJson(await context.results.get(f.id('resultId')).result.summary()) }
}
