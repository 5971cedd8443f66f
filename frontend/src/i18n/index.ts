import { createI18n } from 'vue-i18n'
import zhCN, { type MessageSchema } from './zh-CN'
import en from './en'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

/** Names of the languages, each in its own language, for the switch. */
export const LOCALE_NAMES: Record<Locale, string> = { 'zh-CN': '中文', en: 'English' }

const STORAGE_KEY = 'dibao.locale'

function isLocale(value: unknown): value is Locale {
  return LOCALES.includes(value as Locale)
}

function savedLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY)
  return isLocale(saved) ? saved : 'zh-CN'
}

export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: savedLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function currentLocale(): Locale {
  return i18n.global.locale.value
}

/** Switches the UI language and remembers the choice in this browser. */
export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  localStorage.setItem(STORAGE_KEY, locale)
  document.documentElement.lang = locale
}
