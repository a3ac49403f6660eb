// Raft for the cluster fixture: one group per database among its hosting members.
export { RaftNode, type RaftNodeOptions, type RaftRole, type RaftStatus } from './node.js'
export { RaftLog } from './log.js'
export type { Membership, LogEntry, EntryPayload, RaftMessage } from './messages.js'
export { InProcessNetwork, type Transport, type MessageHandler, type NetworkFaults, type DeliveryObserver } from './network.js'
export { RealScheduler, FakeScheduler, type Scheduler, type TimerHandle } from './scheduler.js'
export { seededRandom, randomBetween, type RandomSource } from './random.js'
export { RaftProposalError, NotLeaderError, CommitOutcomeUnknownError, MembershipChangeError } from './errors.js'
export { isVoter, majorityOf, peersOf, sameMembership, validateSingleServerChange } from './membership.js'
