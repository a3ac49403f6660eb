// The retry loop: the first attempt runs directly; once one failed, p-retry
// (v7) drives the rest and RetryState decides. p-retry alone would count its
// budget differently, randomize ×1–2 and give up on a TypeError; here p-retry
// sleeps nothing itself (minTimeout 0) and every delay and the deadline come
// from RetryState. Each attempt gets the deadline, so connection acquisition
// and rediscovery inside it stop there too.

import pRetry, { AbortError } from 'p-retry'
import { sleep, systemClock } from '../clock.js'
import { codeOf, errorSummary } from '../errors.js'
import { publish } from '../events.js'
import type { LogFunction } from '../log.js'
import { DEFAULT_RETRY_CLOCK, RetryState, type RetryDecision, type RetryPolicy } from './retry-state.js'

export interface AttemptContext {
  /** 1-based */
  readonly attempt: number
  /** ms since epoch (Date.now clock): nothing in the attempt should wait past it. */
  readonly deadline: number
}

export interface RetryOptions {
  readonly policy: RetryPolicy
  readonly log?: LogFunction
  /** Injected for tests. */
  readonly now?: () => number
  readonly random?: () => number
  readonly sleep?: (ms: number) => Promise<void>
}

const realSleep = async (ms: number): Promise<void> => { await sleep(systemClock, ms) }

/** A non-Error thrown by user code: carried through p-retry (which would turn it into a TypeError) and rethrown as is. */
class ThrownValue extends Error {
  readonly value: unknown
  constructor (value: unknown) {
    super('non-error thrown')
    this.value = value
  }
}

export async function runWithRetry<T> (work: (context: AttemptContext) => Promise<T>, options: RetryOptions): Promise<T> {
  const wait = options.sleep ?? realSleep
  const state = new RetryState(options.policy, { now: options.now ?? DEFAULT_RETRY_CLOCK.now, random: options.random ?? DEFAULT_RETRY_CLOCK.random })
  const attemptOnce = async (attempt: number): Promise<T> => {
    state.start()
    // A zero budget means "never retry", not "no time for the one attempt":
    // that attempt is bounded by the acquisition timeout alone.
    return await work({ attempt, deadline: options.policy.budgetMs > 0 ? state.deadline : Infinity })
  }
  /** Decide on a failed attempt, say so, and wait the delay; the decision says whether to go on. */
  const afterFailure = async (error: Error, attemptNumber: number): Promise<RetryDecision> => {
    const decision = state.recordFailure(error)
    if (decision.kind !== 'retry') return decision
    const message = `attempt ${attemptNumber} failed (${errorSummary(error)}); retrying ${decision.fast ? 'at once against a fresh routing table' : `in ${Math.round(decision.delayMs)} ms`}`
    options.log?.(message, attemptNumber === 1 ? 'debug' : 'info')
    publish.retry({ attempt: attemptNumber, delayMs: decision.delayMs, code: codeOf(error), message: error.message, elapsedMs: state.elapsedMs(), fast: decision.fast })
    if (decision.delayMs > 0) await wait(decision.delayMs)
    return decision
  }

  // The first attempt runs directly: most work succeeds at once, and p-retry's
  // machinery is only worth its cost once something failed.
  try {
    return await attemptOnce(1)
  } catch (error) {
    if (!(error instanceof Error)) throw error // a non-Error thrown by user code: not retryable, rethrown as is
    const first = await afterFailure(error, 1)
    if (first.kind === 'stop') throw first.error
  }

  let decision: RetryDecision | undefined
  try {
    return await pRetry(async (retryNumber) => {
      if (!state.canStartAttempt()) throw new AbortError(state.exhausted())
      try {
        return await attemptOnce(retryNumber + 1)
      } catch (error) {
        if (error instanceof Error) throw error
        // Not retryable by definition; AbortError skips p-retry's hooks.
        throw new AbortError(new ThrownValue(error))
      }
    }, {
      retries: Infinity,
      minTimeout: 0,
      factor: 1,
      randomize: false,
      onFailedAttempt: async ({ error, attemptNumber }) => { decision = await afterFailure(error, attemptNumber + 1) },
      shouldRetry: () => decision?.kind === 'retry',
      shouldConsumeRetry: () => true
    })
  } catch (error) {
    if (error instanceof ThrownValue) throw error.value
    // p-retry rethrows the raw error; the decision may have replaced it (budget exhausted).
    if (decision?.kind === 'stop') throw decision.error
    throw error
  }
}
