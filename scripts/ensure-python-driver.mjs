// Makes sure the official Python driver (used only by the interop tests) is
// installed in .venv-py. Never fails the build: when it cannot install, the
// Python interop tests report themselves as skipped with the reason.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const py = '.venv-py/bin/python'
const ok = () => {
  try { execFileSync(py, ['-c', 'import neo4j'], { stdio: 'ignore' }); return true } catch { return false }
}

if (!ok()) {
  try {
    if (!existsSync(py)) execFileSync('python3', ['-m', 'venv', '.venv-py'], { stdio: 'inherit' })
    // pip's first attempt against the public index can fail here; the second uses the local index.
    for (let attempt = 1; attempt <= 3 && !ok(); attempt++) {
      try {
        execFileSync('.venv-py/bin/pip', ['install', '--quiet', 'neo4j==6.3.1'], { stdio: 'inherit', timeout: 300_000 })
      } catch (e) {
        console.warn(`pip install neo4j (attempt ${attempt}) failed: ${e.message}`)
      }
    }
  } catch (e) {
    console.warn(`could not create .venv-py: ${e.message}`)
  }
  if (!ok()) console.warn('The Python neo4j driver is not available: the Python interop tests will be skipped.')
}
