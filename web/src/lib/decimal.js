// Exact sums of decimal strings, for the board's totals per status. BigInt keeps every digit:
// adding amounts as binary floats would drift in the last cent.

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/

/** @returns {{units: bigint, scale: number} | null} */
const parse = (text) => {
  const match = DECIMAL.exec(String(text ?? '').trim())
  if (!match) return null
  const [, sign, whole, fraction = ''] = match
  const units = BigInt(whole + fraction)
  return { units: sign === '-' ? -units : units, scale: fraction.length }
}

const rescale = (value, scale) => value.units * 10n ** BigInt(scale - value.scale)

const format = (units, scale) => {
  const negative = units < 0n
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : ''
  return `${negative ? '-' : ''}${whole}${fraction}`
}

/** "10.50" + "0.125" -> "10.625"; a value that is not a decimal counts as nothing. */
export const addDecimal = (a, b) => {
  const left = parse(a) ?? { units: 0n, scale: 0 }
  const right = parse(b) ?? { units: 0n, scale: 0 }
  const scale = Math.max(left.scale, right.scale)
  return format(rescale(left, scale) + rescale(right, scale), scale)
}

/** -1, 0 or 1, comparing two decimal strings exactly; non-decimals sort first. */
export const compareDecimal = (a, b) => {
  const left = parse(a)
  const right = parse(b)
  if (!left || !right) return (left ? 1 : 0) - (right ? 1 : 0)
  const scale = Math.max(left.scale, right.scale)
  const difference = rescale(left, scale) - rescale(right, scale)
  return difference === 0n ? 0 : difference < 0n ? -1 : 1
}
