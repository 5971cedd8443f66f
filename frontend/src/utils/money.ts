// Money in the app is an integer number of fen (分), as the server keeps it. Amounts typed in
// yuan are converted from the decimal string itself, never through a floating-point number,
// so "1285.10" is exactly 128510 fen.

/** The largest amount the forms accept: 10,000,000 yuan, well inside the exact integer range. */
const MAX_FEN = 1_000_000_000

/**
 * Parses a yuan amount as typed ("1285", "1,285.5", "１２８５.００", " 1285.10 元") into fen.
 * Returns null for anything that is not a non-negative amount with at most two decimals.
 */
export function yuanToFen(input: string): number | null {
  let s = input
    .trim()
    .replace(/[０-９．，]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)) // full-width digits, point, comma
    .replace(/\s*元$/, '')
    .replace(/,/g, '')
  if (!/^\d+(\.\d{0,2})?$/.test(s)) return null
  if (s.endsWith('.')) s = s.slice(0, -1)
  const [whole, frac = ''] = s.split('.')
  const fen = Number(whole) * 100 + Number(frac.padEnd(2, '0'))
  if (!Number.isSafeInteger(fen) || fen > MAX_FEN) return null
  return fen
}

/** Formats fen as yuan with two decimals and thousands separators: 128510 → "1,285.10". */
export function formatYuan(fen: number): string {
  const negative = fen < 0
  const abs = Math.abs(Math.trunc(fen))
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const cents = (abs % 100).toString().padStart(2, '0')
  return `${negative ? '-' : ''}${whole}.${cents}`
}

/** Formats fen as whole yuan when it is whole ("1,285"), else with two decimals. */
export function formatYuanShort(fen: number): string {
  const s = formatYuan(fen)
  return s.endsWith('.00') ? s.slice(0, -3) : s
}

/** Basis points as a percentage: 1500 → "15%", 1250 → "12.5%". */
export function formatBP(bp: number): string {
  const whole = Math.trunc(bp / 100)
  const rest = Math.abs(bp % 100)
  if (rest === 0) return `${whole}%`
  return `${whole}.${rest.toString().padStart(2, '0').replace(/0$/, '')}%`
}

/** Parses a percentage as typed ("15", "12.5", "12.50%") into basis points, or null. */
export function percentToBP(input: string): number | null {
  const s = input.trim().replace(/%$/, '').trim()
  if (!/^\d+(\.\d{0,2})?$/.test(s)) return null
  const [whole, frac = ''] = s.split('.')
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'))
}

/** The month after the one a date (YYYY-MM-DD or YYYY-MM) falls in, as YYYY-MM. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number)
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}
