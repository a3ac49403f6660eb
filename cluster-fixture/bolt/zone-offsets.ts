// UTC offsets of named time zones, from the runtime's tz database (Intl).
// Needed where Bolt and values.ts disagree on what a zoned DateTime stores:
// Bolt 5 sends UTC seconds + zone id, legacy 4.4 sends local seconds + zone id,
// and DateTimeValue keeps UTC seconds + the offset in force.

const formatters = new Map<string, Intl.DateTimeFormat>()
const MAX_CACHED_ZONES = 256

function formatterFor (zoneId: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zoneId)
  if (formatter === undefined) {
    // Throws RangeError for an unknown zone; callers turn that into a FAILURE.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zoneId,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short'
    })
    if (formatters.size >= MAX_CACHED_ZONES) formatters.clear()
    formatters.set(zoneId, formatter)
  }
  return formatter
}

export function isKnownZone (zoneId: string): boolean {
  try {
    formatterFor(zoneId)
    return true
  } catch {
    return false
  }
}

// Intl handles dates within ±8.64e15 ms of the epoch.
const MAX_INTL_SECONDS = 8.64e12

/** Seconds east of UTC in `zoneId` at the instant `epochSeconds` (UTC). */
export function offsetSecondsAt (zoneId: string, epochSeconds: number): number {
  const clamped = Math.max(-MAX_INTL_SECONDS, Math.min(MAX_INTL_SECONDS, epochSeconds))
  const parts = formatterFor(zoneId).formatToParts(new Date(clamped * 1000))
  const field = (type: string): number => Number(parts.find(p => p.type === type)?.value ?? 0)
  let year = field('year')
  if (parts.find(p => p.type === 'era')?.value === 'BC') year = 1 - year
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
  const wallClock = new Date(0)
  wallClock.setUTCFullYear(year, field('month') - 1, field('day'))
  wallClock.setUTCHours(field('hour'), field('minute'), field('second'), 0)
  return Math.round((wallClock.getTime() - Math.floor(clamped) * 1000) / 1000)
}

/** UTC seconds for a wall-clock time (given as seconds since the epoch, as if it were UTC) in `zoneId`. */
export function utcSecondsForLocal (zoneId: string, localSeconds: number): number {
  let offset = offsetSecondsAt(zoneId, localSeconds)
  // Once more at the corrected instant: the offset may differ across a transition.
  offset = offsetSecondsAt(zoneId, localSeconds - offset)
  return localSeconds - offset
}
