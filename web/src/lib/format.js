// Amounts, numbers and dates written the way the reader writes them. These functions only
// format: every amount shown comes computed from the server (one calculator, in Python).

const locale = () => document.documentElement.lang || 'en-GB'

const DECIMAL = /^[+-]?\d+(\.\d+)?$/

/** Number of decimals a decimal string carries: "12.50" -> 2. */
const decimalsOf = (text) => (text.split('.')[1] || '').length

/**
 * A decimal string as money, keeping exactly the decimals the server sent ("3.375" KWD).
 * Intl formats the string itself, without going through a binary float.
 * @param {string|null|undefined} amount
 * @param {string} currency
 */
export const money = (amount, currency) => {
  if (amount === null || amount === undefined || amount === '') return '—'
  const text = String(amount)
  if (!DECIMAL.test(text)) return text
  const digits = decimalsOf(text)
  try {
    return new Intl.NumberFormat(locale(), {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits
    }).format(text)
  } catch {
    return `${number(text)} ${currency || ''}`.trim()
  }
}

/** A plain decimal string for reading: "5.5" -> "5,5" in French. */
export const number = (text) => {
  const value = String(text ?? '')
  if (!DECIMAL.test(value)) return value
  return new Intl.NumberFormat(locale(), {
    minimumFractionDigits: decimalsOf(value),
    maximumFractionDigits: Math.max(decimalsOf(value), 0),
    useGrouping: false
  }).format(value)
}

/** The decimal separator of the reader's locale ("," in French). */
export const decimalSeparator = () => {
  const parts = new Intl.NumberFormat(locale()).formatToParts(1.5)
  return parts.find((part) => part.type === 'decimal')?.value ?? '.'
}

/**
 * A value typed in an amount field as the document stores it: trimmed, spaces removed, and a
 * lone decimal comma turned into a point ("1 234,5" -> "1234.5"). Anything else is kept as
 * typed, so that the server can name what is wrong with it.
 * @param {string} typed
 */
export const toDocumentDecimal = (typed) => {
  const text = String(typed ?? '').trim().replace(/[\s\u00a0\u202f]/g, '')
  if (!text.includes('.') && (text.match(/,/g) || []).length === 1) return text.replace(',', '.')
  return text
}

/**
 * A stored decimal as shown in an input: the locale's separator for a well-formed decimal,
 * otherwise the text as it is.
 * @param {string} stored
 */
export const toShownDecimal = (stored) => {
  const text = String(stored ?? '')
  if (!DECIMAL.test(text)) return text
  return decimalSeparator() === ',' ? text.replace('.', ',') : text
}

/** "2026-01-05" -> "5 Jan 2026" / "5 janv. 2026". */
export const day = (iso) => {
  if (!iso) return ''
  const date = new Date(`${String(iso).slice(0, 10)}T00:00:00Z`)
  if (Number.isNaN(date.getTime())) return String(iso)
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(date)
}

const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1]
]

/** How long ago an instant was: "3 minutes ago", "il y a 3 minutes". */
export const since = (iso, now = Date.now()) => {
  if (!iso) return ''
  const then = new Date(iso).getTime()
  if (Number.isNaN(then)) return ''
  const seconds = Math.round((then - now) / 1000)
  const format = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' })
  if (Math.abs(seconds) < 45) return format.format(0, 'second')
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit)
  }
  return format.format(0, 'second')
}

/** Initials for an avatar: "Claire Dubois" -> "CD". */
export const initials = (name) => {
  const words = String(name || '').replace('@', ' ').split(/\s+/)
    .filter((word) => /^[\p{L}\p{N}]/u.test(word))
  if (words.length === 0) return '?'
  const last = words.length > 1 ? words[words.length - 1][0] : ''
  return (words[0][0] + last).toUpperCase()
}
