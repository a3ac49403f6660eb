// One in-flight operation per key: concurrent callers for the same key share
// its promise (one ROUTE per database at a time, however many sessions wait).

export class SingleFlight<K, V> {
  private readonly inFlight = new Map<K, Promise<V>>()

  run (key: K, operation: () => Promise<V>): Promise<V> {
    const running = this.inFlight.get(key)
    if (running !== undefined) return running
    const started = (async () => {
      try {
        return await operation()
      } finally {
        this.inFlight.delete(key)
      }
    })()
    this.inFlight.set(key, started)
    return started
  }

  isRunning (key: K): boolean {
    return this.inFlight.has(key)
  }
}
