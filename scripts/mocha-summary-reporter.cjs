'use strict'
// Mocha reporter: the usual spec output, then one machine-readable line
// "N passed, N failed" (pending tests are counted as skipped), also written to
// .mocha-results.json so CI can tell "nothing ran" from "all passed".
const fs = require('node:fs')
const path = require('node:path')
const Mocha = require('mocha')
const { EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } = Mocha.Runner.constants

class SummaryReporter extends Mocha.reporters.Spec {
  constructor (runner, options) {
    super(runner, options)
    const failures = []
    let passed = 0
    let skipped = 0
    runner.on(EVENT_TEST_PASS, () => { passed++ })
    runner.on(EVENT_TEST_PENDING, () => { skipped++ })
    runner.on(EVENT_TEST_FAIL, (test, err) => { failures.push({ title: test.fullTitle(), error: String(err && err.message) }) })
    runner.once(EVENT_RUN_END, () => {
      const summary = { passed, failed: failures.length, skipped, failures }
      try {
        fs.writeFileSync(path.join(process.cwd(), '.mocha-results.json'), JSON.stringify(summary, null, 2))
      } catch { /* the line below is what matters */ }
      // Printed after Spec's epilogue so it is the last line of the run.
      process.nextTick(() => {
        console.log(`${passed} passed, ${failures.length} failed${skipped ? ` (${skipped} skipped)` : ''}`)
      })
    })
  }
}

module.exports = SummaryReporter
