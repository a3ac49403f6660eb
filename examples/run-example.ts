// `npm run example -- <name> [options]`: runs one example against a running
// cluster (start one with `npx cluster-fixture start` in another terminal).
const examples: Record<string, string> = {
  'cluster-app': 'the seed ClusterApp: add_city / get_cities',
  'failover-ping': 'ping writer (--count, --interval ms); stop the leader while it runs',
  'safe-write': 'a write with a 60 s retry budget',
  'cluster-status': 'SHOW DATABASES: who hosts and who leads',
  'create-database': 'CREATE DATABASE shipping TOPOLOGY 3 PRIMARIES 2 SECONDARIES',
  reactive: 'the reactive API (rxjs): driver.rxSession(), executeWrite, a paused and resumed stream'
}

const name = process.argv[2]
if (name === undefined || !(name in examples)) {
  console.error(`usage: npm run example -- <name> [options]\n${Object.entries(examples).map(([n, d]) => `  ${n.padEnd(16)} ${d}`).join('\n')}`)
  process.exit(name === undefined ? 0 : 2)
}
process.argv.splice(2, 1)
await import(`./${name}.js`)
