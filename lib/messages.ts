// How the driver quotes another error inside its own messages: one line of it,
// without bolt-connection's advice in front of "Caused by: …". Shared by the
// error classes, the connection layer and the logs, so an error reads the same
// wherever it is quoted.

/** The first line of `text`, cut to `max` characters (with '...' when cut). */
export function firstLine (text: string, max = Infinity): string {
  const line = text.split('\n')[0] ?? ''
  return line.length > max ? `${line.slice(0, max - 3)}...` : line
}

/** The first line of what follows the last "Caused by: " (the whole message when there is none). */
export function conciseCause (message: string, max = Infinity): string {
  const at = message.lastIndexOf('Caused by: ')
  return firstLine(at >= 0 ? message.slice(at + 'Caused by: '.length) : message, max)
}

/** "Name: first line" of a thrown value that may not be an Error (decoder failures, user code). */
export function describeRaw (error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${firstLine(error.message)}`
  return String(error)
}
