// Routes: login, enterprise tabs (/ent), regulator tabs (/gov), with a role-aware guard.
import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'
import { hasCachedSession, useAuthStore } from '@/stores/auth'
// in the entry: the first page of every new device renders without waiting for another chunk
import LoginPage from '@/pages/LoginPage.vue'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    side?: 'ent' | 'gov'
    title?: string
  }
}

const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', name: 'root', redirect: () => '/ent' },
    { path: '/login', name: 'login', component: LoginPage, meta: { public: true, title: '登录' } },
    {
      path: '/ent',
      component: () => import('@/pages/ent/EntLayout.vue'),
      meta: { side: 'ent' },
      children: [
        { path: '', name: 'ent-home', redirect: { name: 'ent-tasks' } },
        { path: 'tasks', name: 'ent-tasks', component: () => import('@/pages/ent/TasksPage.vue'), meta: { title: '自查' } },
        { path: 'problems', name: 'ent-problems', component: () => import('@/pages/ent/ProblemsPage.vue'), meta: { title: '问题' } },
        { path: 'reports', name: 'ent-reports', component: () => import('@/pages/common/ReportsPage.vue'), meta: { title: '报告' } },
        { path: 'me', name: 'ent-me', component: () => import('@/pages/common/MePage.vue'), meta: { title: '我的' } },
      ],
    },
    {
      path: '/ent/selfchecks/:id(\\d+)',
      name: 'selfcheck',
      component: () => import('@/pages/ent/SelfCheckPage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'ent', title: '自查' },
    },
    {
      path: '/ent/selfchecks/:id(\\d+)/items/:itemId(\\d+)',
      name: 'selfcheck-item',
      component: () => import('@/pages/ent/ItemPage.vue'),
      props: (r) => ({ id: Number(r.params.id), itemId: Number(r.params.itemId) }),
      meta: { side: 'ent', title: '检查项' },
    },
    {
      path: '/ent/problems/new',
      name: 'ent-problem-new',
      component: () => import('@/pages/ent/ProblemNewPage.vue'),
      meta: { side: 'ent', title: '上报问题' },
    },
    {
      path: '/ent/problems/:id(\\d+)',
      name: 'ent-problem',
      component: () => import('@/pages/common/ProblemPage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'ent', title: '问题详情' },
    },
    {
      path: '/ent/problems/:id(\\d+)/rectify',
      name: 'ent-rectify',
      component: () => import('@/pages/ent/RectifyPage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'ent', title: '提交整改' },
    },
    {
      path: '/ent/credit',
      name: 'ent-credit',
      component: () => import('@/pages/ent/CreditPage.vue'),
      meta: { side: 'ent', title: '信用与正面清单' },
    },
    {
      path: '/gov/problems/:id(\\d+)',
      name: 'gov-problem',
      component: () => import('@/pages/common/ProblemPage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'gov', title: '问题核查' },
    },
    {
      path: '/gov/enterprises/:id(\\d+)',
      name: 'gov-enterprise',
      component: () => import('@/pages/gov/EnterprisePage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'gov', title: '企业档案' },
    },
    {
      path: '/ent/inspections/:id(\\d+)',
      name: 'ent-inspection',
      component: () => import('@/pages/ent/InspectionResultPage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'ent', title: '执法检查结果' },
    },
    {
      path: '/gov/inspections',
      name: 'gov-inspections',
      component: () => import('@/pages/gov/InspectionsPage.vue'),
      meta: { side: 'gov', title: '入企执法检查' },
    },
    {
      path: '/gov/inspection-plans',
      name: 'gov-inspection-plans',
      component: () => import('@/pages/gov/PlansPage.vue'),
      meta: { side: 'gov', title: '执法检查计划' },
    },
    {
      path: '/gov/special-actions',
      name: 'gov-special-actions',
      component: () => import('@/pages/gov/SpecialActionsPage.vue'),
      meta: { side: 'gov', title: '专项执法检查' },
    },
    {
      path: '/gov/inspections/:id(\\d+)',
      name: 'gov-inspection',
      component: () => import('@/pages/gov/InspectionPage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'gov', title: '入企执法检查' },
    },
    {
      path: '/gov/warnings',
      name: 'gov-warnings',
      component: () => import('@/pages/gov/WarningsPage.vue'),
      meta: { side: 'gov', title: '风险预警' },
    },
    // 法定义务日历, 企业诉求, 我的案件, 普法 (issues #19, #20)
    { path: '/ent/obligations', name: 'ent-obligations', component: () => import('@/pages/ent/ObligationsPage.vue'), meta: { side: 'ent', title: '法定义务日历' } },
    { path: '/ent/requests', name: 'ent-requests', component: () => import('@/pages/ent/RequestsPage.vue'), meta: { side: 'ent', title: '企业诉求' } },
    { path: '/ent/requests/new', name: 'ent-request-new', component: () => import('@/pages/ent/RequestNewPage.vue'), meta: { side: 'ent', title: '提出诉求' } },
    {
      path: '/ent/requests/:id(\\d+)',
      name: 'ent-request',
      component: () => import('@/pages/ent/RequestPage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'ent', title: '诉求详情' },
    },
    { path: '/ent/cases', name: 'ent-cases', component: () => import('@/pages/ent/CasesPage.vue'), meta: { side: 'ent', title: '我的案件' } },
    {
      path: '/ent/cases/:id(\\d+)',
      name: 'ent-case',
      component: () => import('@/pages/ent/CasePage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'ent', title: '案件详情' },
    },
    { path: '/ent/legal', name: 'ent-legal', component: () => import('@/pages/ent/LegalFeedPage.vue'), meta: { side: 'ent', title: '普法学习' } },
    {
      path: '/ent/legal/:id(\\d+)',
      name: 'ent-legal-case',
      component: () => import('@/pages/ent/LegalCasePage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'ent', title: '普法学习' },
    },
    // 诉求 queue, 案件 (regulator; own chunks)
    { path: '/gov/requests', name: 'gov-requests', component: () => import('@/pages/gov/RequestsPage.vue'), meta: { side: 'gov', title: '企业诉求' } },
    { path: '/gov/requests/quality', name: 'gov-request-quality', component: () => import('@/pages/gov/RequestQualityPage.vue'), meta: { side: 'gov', title: '诉求办理质效' } },
    {
      path: '/gov/requests/:id(\\d+)',
      name: 'gov-request',
      component: () => import('@/pages/gov/RequestPage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'gov', title: '诉求办理' },
    },
    { path: '/gov/cases', name: 'gov-cases', component: () => import('@/pages/gov/CasesPage.vue'), meta: { side: 'gov', title: '案件' } },
    {
      path: '/gov/cases/:id(\\d+)',
      name: 'gov-case',
      component: () => import('@/pages/gov/CasePage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'gov', title: '案件办理' },
    },
    { path: '/gov/clues', name: 'gov-clues', component: () => import('@/pages/gov/CluesPage.vue'), meta: { side: 'gov', title: '线索移送' } },
    {
      path: '/gov/clues/:id(\\d+)',
      name: 'gov-clue',
      component: () => import('@/pages/gov/CluePage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'gov', title: '线索移送表' },
    },
    { path: '/admin/users', name: 'admin-users', component: () => import('@/pages/admin/AdminUsersPage.vue'), meta: { side: 'gov', title: '用户管理' } },
    { path: '/admin/enterprises', name: 'admin-enterprises', component: () => import('@/pages/admin/AdminEnterprisesPage.vue'), meta: { side: 'gov', title: '企业管理' } },
    { path: '/admin/checklists', name: 'admin-checklists', component: () => import('@/pages/admin/AdminChecklistsPage.vue'), meta: { side: 'gov', title: '检查表管理' } },
    {
      path: '/admin/checklists/versions/:id(\\d+)',
      name: 'admin-checklist-version',
      component: () => import('@/pages/admin/ChecklistVersionPage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { side: 'gov', title: '检查表版本' },
    },
    { path: '/gov/legal', name: 'gov-legal', component: () => import('@/pages/gov/LegalPage.vue'), meta: { side: 'gov', title: '普法管理' } },
    { path: '/monitoring', name: 'monitoring', component: () => import('@/pages/common/MonitoringPage.vue'), meta: { title: '在线监测' } },
    { path: '/inbox', name: 'inbox', component: () => import('@/pages/common/InboxPage.vue'), meta: { title: '消息' } },
    { path: '/ent/inbox', redirect: '/inbox' },
    { path: '/gov/inbox', redirect: '/inbox' },
    {
      path: '/reports/:id(\\d+)',
      name: 'report',
      component: () => import('@/pages/common/ReportPage.vue'),
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { title: '环保体检报告' },
    },
    {
      path: '/gov',
      component: () => import('@/pages/gov/GovLayout.vue'),
      meta: { side: 'gov' },
      children: [
        { path: '', name: 'gov-home', redirect: { name: 'gov-dashboard' } },
        { path: 'dashboard', name: 'gov-dashboard', component: () => import('@/pages/gov/DashboardPage.vue'), meta: { title: '工作台' } },
        { path: 'enterprises', name: 'gov-enterprises', component: () => import('@/pages/gov/EnterprisesPage.vue'), meta: { title: '企业' } },
        { path: 'reviews', name: 'gov-reviews', component: () => import('@/pages/gov/ReviewsPage.vue'), meta: { title: '核查' } },
        { path: 'me', name: 'gov-me', component: () => import('@/pages/common/MePage.vue'), meta: { title: '我的' } },
      ],
    },
    { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('@/pages/NotFoundPage.vue'), meta: { public: true } },
  ],
})

export function loginRedirect(to: RouteLocationNormalized) {
  return { name: 'login', query: to.fullPath && to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
}

/** Start downloading a route's page chunks now (the router would only after the guards resolve). */
function preloadComponents(to: RouteLocationNormalized): void {
  for (const record of to.matched) {
    for (const c of Object.values(record.components ?? {})) {
      // a lazy loader, not a component (vue-router's own test)
      if (typeof c === 'function' && !('displayName' in c) && !('props' in c) && !('__vccOpts' in c)) {
        void (c as () => Promise<unknown>)().catch(() => undefined) // a failure surfaces when the router loads it
      }
    }
  }
}

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  if (!auth.ready) {
    if (to.meta.public && !hasCachedSession()) {
      // The login page on a device that remembers no session: asking the server would only answer 401
      // (a console error) and delay the form. A later protected page still asks.
      return true
    }
    preloadComponents(to) // the page downloads while the server says who is logged in
    await auth.init()
  }
  if (to.meta.public) {
    if (to.name === 'login' && auth.user) return auth.homeRoute
    return true
  }
  if (!auth.user) return loginRedirect(to)
  if (to.name === 'root') return auth.homeRoute
  const side = to.matched.find((r) => r.meta.side)?.meta.side
  if (side === 'ent' && !auth.isEnterprise) return '/gov'
  if (side === 'gov' && auth.isEnterprise) return '/ent'
  return true
})

router.afterEach((to) => {
  // regulator pages use the wide desktop column (GovLayout children and its detail pages alike)
  const side = to.matched.find((r) => r.meta.side)?.meta.side
  if (typeof document !== 'undefined') document.getElementById('app')?.classList.toggle('wide', side === 'gov')
  document.title = to.meta.title ? `${to.meta.title} · 环保自查` : '环保自查'
})

export default router
