import { request } from './client'
import type { Session } from './types'
import type { LoginAnswer } from './users'

export const authApi = {
  /** The password step: a session, or (second factor set up) a ticket for the code step. */
  login(username: string, password: string): Promise<LoginAnswer> {
    return request('POST', '/api/v1/auth/login', { body: { username, password }, handleErrors: false })
  },
  /** The current session; rejects with a 401 ApiError when there is none. */
  me(): Promise<Session> {
    return request('GET', '/api/v1/auth/me', { handleErrors: false })
  },
  logout(): Promise<void> {
    return request('POST', '/api/v1/auth/logout', { handleErrors: false })
  },
  changePassword(currentPassword: string, newPassword: string): Promise<void> {
    return request('POST', '/api/v1/auth/password', {
      body: { current_password: currentPassword, new_password: newPassword },
    })
  },
}
