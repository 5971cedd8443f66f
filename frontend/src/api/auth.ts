import { request } from './client'
import type { Session } from './types'

export const authApi = {
  login(username: string, password: string): Promise<Session> {
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
