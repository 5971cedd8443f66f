import { request } from './client'
import type { SystemStatus } from './types'

export const systemApi = {
  status(): Promise<SystemStatus> {
    return request('GET', '/api/v1/system/status')
  },
}
