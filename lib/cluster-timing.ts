// Paces that several rooms must agree on, derived from one constant so they
// cannot drift apart: the retry loop's poll for a new leader (lib/retry), how
// long the routing layer reuses an answer without a writer (so those polls
// cost about one ROUTE per database per period), and how often a second
// opinion on a silent leader asks the other routers (lib/routing).

/**
 * Pause between polls of the routing table while a database has no leader (an
 * election): short, so a write resumes within ~25 ms of the new leader being
 * ready.
 */
export const LEADER_POLL_MS = 25

/**
 * An answer without a writer is reused, by retry attempts only, for one
 * leader poll: N sessions polling through an election then cost about one
 * ROUTE per poll period per database, not N.
 */
export const WRITERLESS_ANSWER_REUSE_MS = LEADER_POLL_MS

/**
 * How often a second opinion on a silent leader asks the other routers: every
 * other leader poll. An election ends within a few hundred ms and a probe of a
 * live member answers in milliseconds, so a probe that lasts gets a few
 * ROUTEs, not a storm.
 */
export const SECOND_OPINION_POLL_MS = 2 * LEADER_POLL_MS
