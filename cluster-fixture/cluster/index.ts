// The cluster layer: members, databases, routing, bookmarks, controls.
export { Cluster, startCluster, type CopyStatus } from './cluster.js'
export { resolveOptions, DEFAULT_OPTIONS, ClusterOptionsError, type ClusterOptions, type ClusterTlsOptions, type ResolvedClusterOptions } from './options.js'
export type { MemberInfo, MemberState } from './services.js'
export type { MemberMode } from './catalogue.js'
export { encodeBookmark, parseBookmark, BOOKMARK_PREFIX, type Bookmark } from './bookmarks.js'
