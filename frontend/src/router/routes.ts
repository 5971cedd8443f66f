import type { RouteRecordRaw } from 'vue-router'
import { pages } from '@/navigation/pages'

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { public: true, title: 'login.heading' },
  },
  // The printable certificate (低保证): a page of its own, without the layout, for A5 paper.
  {
    path: '/print/certificates/:no',
    name: 'certificate-print',
    component: () => import('@/views/benefit/CertificatePrintView.vue'),
    meta: { title: 'benefit.certificate.short', permission: 'beneficiary:read' },
  },
  // The written decision of a case (A4) and the village's notice board (A4 landscape).
  {
    path: '/print/cases/:id(\\d+)/letter',
    name: 'case-letter',
    component: () => import('@/views/cases/LetterPrintView.vue'),
    meta: { title: 'cases.detail.printLetter', permission: 'case:read' },
  },
  {
    path: '/print/notices',
    name: 'notice-board-print',
    component: () => import('@/views/cases/NoticePrintView.vue'),
    meta: { title: 'cases.notices.board', permission: 'notice:read' },
  },
  // The public portal (公示查询与异议): its own plain layout, no sign-in, no session asked for.
  {
    path: '/public',
    component: () => import('@/layouts/PublicLayout.vue'),
    meta: { public: true, sessionless: true },
    children: [
      { path: '', redirect: { name: 'public-notices' } },
      {
        path: 'notices',
        name: 'public-notices',
        component: () => import('@/views/public/PublicNoticesView.vue'),
        meta: { public: true, sessionless: true, title: 'portal.heading' },
      },
    ],
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
