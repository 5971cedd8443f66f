import { createRouter, createWebHistory } from 'vue-router'
import { ApiError } from '@/api/client'
import { useSessionStore } from '@/stores/session'
import { decide } from './guard'
import { routes } from './routes'

export const router = createRouter({
  history: createWebHistory(),
  routes,
})

router.beforeEach(async (to) => {
  // The public portal is for people without an account: it never asks about a session.
  if (to.meta.public && to.meta.sessionless) return true
  const session = useSessionStore()
  if (!session.checked) {
    try {
      await session.restore()
    } catch (err) {
      // Server unreachable: say so, and treat the user as signed out.
      if (err instanceof ApiError) ElMessage.error(err.message)
    }
  }
  return decide(to, session)
})
