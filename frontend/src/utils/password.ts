// The server's password policy (DESIGN 4.5), checked before sending so the user
// sees the problem next to the field. The server checks again.

export const MIN_PASSWORD_LENGTH = 8
export const MIN_CHARACTER_CLASSES = 3

export type PasswordProblem = 'required' | 'tooShort' | 'tooFewClasses'

/** Counts the classes present: upper case, lower case, digit, anything else. */
export function characterClasses(password: string): number {
  const classes = [/\p{Lu}/u, /\p{Ll}/u, /\p{Nd}/u, /[^\p{Lu}\p{Ll}\p{Nd}]/u]
  return classes.filter((re) => re.test(password)).length
}

/** Null when the password meets the policy, otherwise what is wrong with it. */
export function checkPassword(password: string): PasswordProblem | null {
  if (password === '') return 'required'
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'tooShort'
  if (characterClasses(password) < MIN_CHARACTER_CLASSES) return 'tooFewClasses'
  return null
}
