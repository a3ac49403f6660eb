// Where the examples connect: a running cluster (`npx cluster-fixture start`
// by default, or any Neo4j 5 cluster through NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD).
import { auth } from 'neo4j-cluster-driver'

export const URI = process.env.NEO4J_URI ?? 'neo4j://localhost:7687'
export const AUTH = auth.basic(process.env.NEO4J_USER ?? 'neo4j', process.env.NEO4J_PASSWORD ?? 'password123')

/** `--name value` from the command line, or the fallback. */
export function option (name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`)
  if (at < 0) return fallback
  const value = Number(process.argv[at + 1])
  if (!Number.isFinite(value)) throw new Error(`--${name} needs a number, got ${JSON.stringify(process.argv[at + 1])}`)
  return value
}
