import type { RouteRecordRaw } from 'vue-router'
import { pages } from '@/navigation/pages'

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { public: true, title: 'login.heading' },
  },
  // Listed before the layout so that an unknown address matches it, not "forbidden".
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/NotFoundView.vue'),
    meta: { public: true, title: 'notFound.title' },
  },
  {
    path: '/',
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      ...pages.map((page) => ({
        path: page.path,
        name: page.name,
        component: page.component,
        meta: { title: page.title, permission: page.permission },
      })),
      // Reached only by name, from the guard, keeping the refused address.
      {
        path: '/:pathMatch(.*)*',
        name: 'forbidden',
        component: () => import('@/views/ForbiddenView.vue'),
        meta: { title: 'forbidden.title' },
      },
    ],
  },
]
