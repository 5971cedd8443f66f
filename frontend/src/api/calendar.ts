import { request } from './client'

export type DayKind = 'holiday' | 'workday'

/** A listed exception to the Monday–Friday week. */
export interface CalendarDay {
  date: string // 2026-10-01
  kind: DayKind
  name: string
}

export interface CalendarYear {
  year: number
  days: CalendarDay[]
}

export interface Deadline {
  from: string
  workdays: number
  due: string
}

export const calendarApi = {
  year(year: number): Promise<CalendarYear> {
    return request('GET', `/api/v1/calendar?year=${year}`)
  },
  deadline(from: string, workdays: number): Promise<Deadline> {
    return request('GET', `/api/v1/calendar/deadline?from=${encodeURIComponent(from)}&workdays=${workdays}`)
  },
  setDay(day: CalendarDay): Promise<CalendarDay> {
    return request('PUT', `/api/v1/calendar/days/${day.date}`, { body: { kind: day.kind, name: day.name } })
  },
  clearDay(date: string): Promise<void> {
    return request('DELETE', `/api/v1/calendar/days/${date}`)
  },
}

/** Saturday or Sunday, for a date written 2026-10-01 (read as a civil date, no zone). */
export function isWeekend(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number)
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay()
  return wd === 0 || wd === 6
}

/** Day of the week, 0 = Sunday, for a civil date. */
export function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay()
}
