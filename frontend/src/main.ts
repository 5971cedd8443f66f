import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { configureApi } from '@/api/client'
import { currentLocale, i18n, setLocale } from '@/i18n'
import { router } from '@/router'
import { useSessionStore } from '@/stores/session'
import App from './App.vue'
import './styles/main.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n)

const session = useSessionStore(pinia)
const { t } = i18n.global

configureApi({
  locale: currentLocale,
  csrfToken: () => session.csrfToken,
  t: (key, values) => t(key, values ?? {}),
  onError(error) {
    if (error.status === 401) {
      session.clear(t('auth.sessionExpired'))
      const here = router.currentRoute.value
      if (here.name !== 'login') void router.push({ name: 'login', query: { redirect: here.fullPath } })
      return
    }
    ElMessage.error(error.status === 403 && error.code === 'forbidden' ? t('errors.forbidden') : error.message)
  },
})

setLocale(currentLocale())
app.use(router).mount('#app')
