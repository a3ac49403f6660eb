// Temporal values for datetime(), date(), localdatetime() and timestamp():
// construction from the statement clock, ISO 8601 strings and maps; component
// access (d.year, …); ISO formatting; an order key for comparisons.
// Named zones (`[Europe/Berlin]`) get their offset from Node's Intl data.

import { FixtureError } from '../errors.js'
import { DateTimeValue, DateValue, LocalDateTimeValue, LocalTimeValue, TimeValue, type TemporalValue } from '../values.js'

const NANOS_PER_SECOND = 1_000_000_000n
const SECONDS_PER_DAY = 86_400n

function argumentError (message: string): FixtureError {
  return new FixtureError('ArgumentError', message)
}

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's civil algorithm).
export function epochDaysFromCivil (year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
}

export function civilFromEpochDays (epochDays: number): { year: number, month: number, day: number } {
  const z = epochDays + 719468
  const era = Math.floor(z / 146097)
  const dayOfEra = z - era * 146097
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365)
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const mp = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

function daysInMonth (year: number, month: number): number {
  return epochDaysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - epochDaysFromCivil(year, month, 1)
}

/** Offset of a named zone at an instant, from the runtime's time zone data. */
export function zoneOffsetSeconds (zoneId: string, epochMillis: number): number {
  let format: Intl.DateTimeFormat
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zoneId, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'
    })
  } catch {
    throw argumentError(`Invalid value for TimeZone: Text '${zoneId}'`)
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(epochMillis)).map(part => [part.type, part.value]))
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second))
  return Math.round((wall - Math.floor(epochMillis / 1000) * 1000) / 1000)
}

// ------------------------------------------------------------------ parsing

interface Fields {
  year: number, month: number, day: number
  hour: number, minute: number, second: number, nanos: number
  /** null: no offset written. */
  offsetSeconds: number | null
  zoneId: string | null
}

const ISO_PATTERN = /^([+-]?\d{4,9})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?(?:\[([^\]]+)\])?$/i

function parseIso (text: string, what: string): Fields {
  const match = ISO_PATTERN.exec(text.trim())
  if (match === null) throw argumentError(`Text cannot be parsed to a ${what}: "${text}"`)
  const [, year, month, day, hour, minute, second, fraction, offset, zone] = match
  const fields: Fields = {
    year: Number(year), month: Number(month), day: Number(day),
    hour: Number(hour ?? 0), minute: Number(minute ?? 0), second: Number(second ?? 0),
    nanos: fraction ? Number(fraction.padEnd(9, '0')) : 0,
    offsetSeconds: null,
    zoneId: zone ?? null
  }
  if (offset !== undefined) {
    if (offset.toUpperCase() === 'Z') fields.offsetSeconds = 0
    else {
      const sign = offset.startsWith('-') ? -1 : 1
      const digits = offset.slice(1).replace(':', '')
      fields.offsetSeconds = sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || '0') * 60)
    }
  }
  validateFields(fields, text)
  return fields
}

function validateFields (f: Fields, source: string): void {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysInMonth(f.year, f.month) ||
    f.hour > 23 || f.minute > 59 || f.second > 59 || f.nanos < 0 || f.nanos > 999_999_999) {
    throw argumentError(`Invalid value for a temporal field in ${source}`)
  }
}

function fieldsFromMap (map: Record<string, unknown>, defaults: { year?: number }): Fields {
  const number = (key: string, fallback: number): number => {
    const value = map[key]
    if (value === undefined || value === null) return fallback
    if (typeof value === 'bigint') return Number(value)
    if (typeof value === 'number' && Number.isInteger(value)) return value
    throw argumentError(`Invalid value for ${key}: ${String(value)}`)
  }
  const fields: Fields = {
    year: number('year', defaults.year ?? NaN), month: number('month', 1), day: number('day', 1),
    hour: number('hour', 0), minute: number('minute', 0), second: number('second', 0),
    nanos: number('millisecond', 0) * 1_000_000 + number('microsecond', 0) * 1000 + number('nanosecond', 0),
    offsetSeconds: null,
    zoneId: null
  }
  if (Number.isNaN(fields.year)) throw argumentError('year must be specified')
  const timezone = map.timezone
  if (typeof timezone === 'string') {
    if (/^(Z|[+-]\d{2}(:?\d{2})?)$/i.test(timezone)) fields.offsetSeconds = parseIso(`1970-01-01T00:00${timezone}`, 'offset').offsetSeconds
    else fields.zoneId = timezone
  }
  validateFields(fields, 'the map')
  return fields
}

function toDateTime (f: Fields): DateTimeValue {
  const localSeconds = BigInt(epochDaysFromCivil(f.year, f.month, f.day)) * SECONDS_PER_DAY + BigInt(f.hour * 3600 + f.minute * 60 + f.second)
  let offset = f.offsetSeconds ?? 0
  if (f.zoneId !== null && f.offsetSeconds === null) {
    // The zone's offset at that wall-clock time: guess with the offset at the same UTC time, then correct once.
    const guess = zoneOffsetSeconds(f.zoneId, Number(localSeconds) * 1000)
    offset = zoneOffsetSeconds(f.zoneId, (Number(localSeconds) - guess) * 1000)
  }
  return new DateTimeValue(localSeconds - BigInt(offset), f.nanos, offset, f.zoneId)
}

// ------------------------------------------------------------- construction

/** datetime(), datetime('2024-05-01T10:00:00+02:00'), datetime({year: 2024, …}), datetime({epochMillis: …}). */
export function makeDateTime (arg: unknown, nowMillis: number): DateTimeValue | null {
  if (arg === undefined) return DateTimeValue.fromMillis(nowMillis)
  if (arg === null) return null
  if (typeof arg === 'string') return toDateTime(parseIso(arg, 'DateTime'))
  if (arg instanceof DateTimeValue) return arg
  if (arg instanceof LocalDateTimeValue) return new DateTimeValue(arg.epochSeconds, arg.nanoseconds, 0)
  if (arg instanceof DateValue) return new DateTimeValue(arg.epochDays * SECONDS_PER_DAY, 0, 0)
  if (typeof arg === 'object' && Object.getPrototypeOf(arg) === Object.prototype) {
    const map = arg as Record<string, unknown>
    if (map.epochMillis !== undefined && map.epochMillis !== null) return DateTimeValue.fromMillis(Number(map.epochMillis))
    if (map.epochSeconds !== undefined && map.epochSeconds !== null) {
      const nanos = map.nanosecond === undefined || map.nanosecond === null ? 0 : Number(map.nanosecond)
      return new DateTimeValue(BigInt(map.epochSeconds as bigint), nanos, 0)
    }
    return toDateTime(fieldsFromMap(map, {}))
  }
  throw argumentError('datetime() takes no argument, a string, a map or a temporal value')
}

export function makeLocalDateTime (arg: unknown, nowMillis: number): LocalDateTimeValue | null {
  if (arg === null) return null
  const instant = arg === undefined ? DateTimeValue.fromMillis(nowMillis) : null
  if (instant !== null) return new LocalDateTimeValue(instant.epochSeconds, instant.nanoseconds)
  if (arg instanceof DateTimeValue) return new LocalDateTimeValue(arg.epochSeconds + BigInt(arg.offsetSeconds), arg.nanoseconds)
  const fields = typeof arg === 'string' ? parseIso(arg, 'LocalDateTime') : fieldsFromMap(arg as Record<string, unknown>, {})
  const local = toDateTime({ ...fields, offsetSeconds: 0, zoneId: null })
  return new LocalDateTimeValue(local.epochSeconds, local.nanoseconds)
}

/** date(), date('2024-05-01'), date({year, month, day}), date(datetime). */
export function makeDate (arg: unknown, nowMillis: number): DateValue | null {
  if (arg === null) return null
  if (arg === undefined) return new DateValue(BigInt(Math.floor(nowMillis / 86_400_000)))
  if (arg instanceof DateValue) return arg
  if (arg instanceof DateTimeValue) return new DateValue(floorDiv(arg.epochSeconds + BigInt(arg.offsetSeconds), SECONDS_PER_DAY))
  if (arg instanceof LocalDateTimeValue) return new DateValue(floorDiv(arg.epochSeconds, SECONDS_PER_DAY))
  const fields = typeof arg === 'string' ? parseIso(arg, 'Date') : fieldsFromMap(arg as Record<string, unknown>, {})
  return new DateValue(BigInt(epochDaysFromCivil(fields.year, fields.month, fields.day)))
}

function floorDiv (a: bigint, b: bigint): bigint {
  const q = a / b
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q
}

// ------------------------------------------------------- access and format

function localParts (value: TemporalValue): { days: bigint | null, nanosOfDay: bigint | null, offset: number | null } {
  if (value instanceof DateValue) return { days: value.epochDays, nanosOfDay: null, offset: null }
  if (value instanceof LocalTimeValue) return { days: null, nanosOfDay: value.nanosOfDay, offset: null }
  if (value instanceof TimeValue) return { days: null, nanosOfDay: value.nanosOfDay, offset: value.offsetSeconds }
  const offset = value instanceof DateTimeValue ? value.offsetSeconds : 0
  const local = value.epochSeconds + BigInt(offset)
  const days = floorDiv(local, SECONDS_PER_DAY)
  return {
    days,
    nanosOfDay: (local - days * SECONDS_PER_DAY) * NANOS_PER_SECOND + BigInt(value.nanoseconds),
    offset: value instanceof DateTimeValue ? offset : null
  }
}

/** `d.year`, `dt.hour`, `dt.epochMillis`, …; undefined when the component does not exist for the type. */
export function temporalComponent (value: TemporalValue, key: string): bigint | string | null | undefined {
  const { days, nanosOfDay, offset } = localParts(value)
  const date = days === null ? null : civilFromEpochDays(Number(days))
  switch (key) {
    case 'year': return date ? BigInt(date.year) : undefined
    case 'month': return date ? BigInt(date.month) : undefined
    case 'day': return date ? BigInt(date.day) : undefined
    case 'quarter': return date ? BigInt(Math.floor((date.month - 1) / 3) + 1) : undefined
    case 'dayOfWeek': case 'weekDay': return days !== null ? BigInt(((Number(days) % 7) + 7 + 3) % 7 + 1) : undefined
    case 'ordinalDay': return date ? BigInt(Number(days) - epochDaysFromCivil(date.year, 1, 1) + 1) : undefined
    case 'hour': return nanosOfDay !== null ? nanosOfDay / (3600n * NANOS_PER_SECOND) : undefined
    case 'minute': return nanosOfDay !== null ? (nanosOfDay / (60n * NANOS_PER_SECOND)) % 60n : undefined
    case 'second': return nanosOfDay !== null ? (nanosOfDay / NANOS_PER_SECOND) % 60n : undefined
    case 'millisecond': return nanosOfDay !== null ? (nanosOfDay / 1_000_000n) % 1000n : undefined
    case 'microsecond': return nanosOfDay !== null ? (nanosOfDay / 1000n) % 1_000_000n : undefined
    case 'nanosecond': return nanosOfDay !== null ? nanosOfDay % NANOS_PER_SECOND : undefined
    case 'offsetSeconds': return offset !== null ? BigInt(offset) : undefined
    case 'offset': return offset !== null ? formatOffset(offset) : undefined
    case 'timezone':
      if (value instanceof DateTimeValue) return value.zoneId ?? formatOffset(value.offsetSeconds)
      return value instanceof TimeValue ? formatOffset(value.offsetSeconds) : undefined
    case 'epochSeconds': return value instanceof DateTimeValue ? value.epochSeconds : undefined
    case 'epochMillis': return value instanceof DateTimeValue ? value.epochSeconds * 1000n + BigInt(Math.floor(value.nanoseconds / 1_000_000)) : undefined
    default: return undefined
  }
}

function pad (n: number | bigint, width: number): string {
  return String(n).padStart(width, '0')
}

function formatOffset (seconds: number): string {
  if (seconds === 0) return 'Z'
  const sign = seconds < 0 ? '-' : '+'
  const abs = Math.abs(seconds)
  return `${sign}${pad(Math.floor(abs / 3600), 2)}:${pad(Math.floor(abs / 60) % 60, 2)}`
}

function formatTime (nanosOfDay: bigint): string {
  const totalSeconds = nanosOfDay / NANOS_PER_SECOND
  const nanos = Number(nanosOfDay % NANOS_PER_SECOND)
  let text = `${pad(totalSeconds / 3600n, 2)}:${pad((totalSeconds / 60n) % 60n, 2)}:${pad(totalSeconds % 60n, 2)}`
  if (nanos !== 0) {
    const digits = pad(nanos, 9)
    text += '.' + (digits.endsWith('000000') ? digits.slice(0, 3) : digits.endsWith('000') ? digits.slice(0, 6) : digits)
  }
  return text
}

/** ISO 8601, as Neo4j's toString() prints temporal values. */
export function formatTemporal (value: TemporalValue): string {
  const { days, nanosOfDay, offset } = localParts(value)
  let text = ''
  if (days !== null) {
    const { year, month, day } = civilFromEpochDays(Number(days))
    text = `${year < 0 ? '-' : ''}${pad(Math.abs(year), 4)}-${pad(month, 2)}-${pad(day, 2)}`
  }
  if (nanosOfDay !== null) text += (days !== null ? 'T' : '') + formatTime(nanosOfDay)
  if (offset !== null) text += formatOffset(offset)
  if (value instanceof DateTimeValue && value.zoneId !== null) text += `[${value.zoneId}]`
  return text
}

/** Kind (for comparability) and a bigint that orders values of that kind: instants for DateTime and Time. */
export function temporalOrderKey (value: TemporalValue): { kind: string, key: bigint } {
  if (value instanceof DateTimeValue) return { kind: 'DateTime', key: value.epochSeconds * NANOS_PER_SECOND + BigInt(value.nanoseconds) }
  if (value instanceof LocalDateTimeValue) return { kind: 'LocalDateTime', key: value.epochSeconds * NANOS_PER_SECOND + BigInt(value.nanoseconds) }
  if (value instanceof DateValue) return { kind: 'Date', key: value.epochDays }
  if (value instanceof TimeValue) return { kind: 'Time', key: value.nanosOfDay - BigInt(value.offsetSeconds) * NANOS_PER_SECOND }
  return { kind: 'LocalTime', key: value.nanosOfDay }
}

export function isTemporal (value: unknown): value is TemporalValue {
  return value instanceof DateTimeValue || value instanceof LocalDateTimeValue || value instanceof DateValue ||
    value instanceof TimeValue || value instanceof LocalTimeValue
}
