// Every page of the app, in one array. A route with `meta.nav` appears in the sidebar, so a
// new capability adds its page here and nowhere else.
import type { RouteRecordRaw } from 'vue-router'

import type { IconName } from '@/components/icons'

export interface NavMeta {
  label: string
  icon: IconName
  /** The feature name the server lists in /api/meta when this area's API is live. */
  feature: string
  /** Shown only to admins (the pages refuse everyone else too). */
  adminOnly?: boolean
}

declare module 'vue-router' {
  interface RouteMeta {
    /** Shown in the browser tab as "<title> · BenchStudio". */
    title?: string
    nav?: NavMeta
    /** Reachable without signing in. */
    public?: boolean
    /** Sign-in and sign-up: a signed-in visitor is sent on to where they were going. */
    guestOnly?: boolean
    adminOnly?: boolean
    /** 'auth': a centred card without the sidebar. */
    layout?: 'auth'
  }
}

const authPages: RouteRecordRaw[] = [
  {
    path: '/sign-in',
    name: 'sign-in',
    component: () => import('@/pages/auth/SignInPage.vue'),
    meta: { title: 'Sign in', public: true, guestOnly: true, layout: 'auth' },
  },
  {
    path: '/sign-up',
    name: 'sign-up',
    component: () => import('@/pages/auth/SignUpPage.vue'),
    meta: { title: 'Create your account', public: true, guestOnly: true, layout: 'auth' },
  },
  {
    path: '/forgot-password',
    name: 'forgot-password',
    component: () => import('@/pages/auth/ForgotPasswordPage.vue'),
    meta: { title: 'Reset your password', public: true, layout: 'auth' },
  },
  {
    // The emailed link points here: /reset-password?token=…
    path: '/reset-password',
    name: 'reset-password',
    component: () => import('@/pages/auth/ResetPasswordPage.vue'),
    meta: { title: 'Choose a new password', public: true, layout: 'auth' },
  },
]

type PageComponent = () => Promise<unknown>

/** A tab inside an area (settings, admin): named "<area>-<path>", titled "<tab> · <Area>". */
function tab(area: string, path: string, title: string, component: PageComponent): RouteRecordRaw {
  const areaTitle = area.charAt(0).toUpperCase() + area.slice(1)
  return { path, name: `${area}-${path}`, component, meta: { title: `${title} · ${areaTitle}` } }
}

const settingsPages: RouteRecordRaw = {
  path: '/settings',
  component: () => import('@/pages/settings/SettingsLayout.vue'),
  redirect: { name: 'settings-providers' },
  meta: { title: 'Settings', nav: { label: 'Settings', icon: 'settings', feature: 'settings' } },
  children: [
    tab('settings', 'providers', 'Providers', () => import('@/pages/settings/ProvidersPage.vue')),
    tab('settings', 'models', 'Models', () => import('@/pages/settings/ModelsPage.vue')),
    tab('settings', 'keys', 'API keys', () => import('@/pages/settings/KeysPage.vue')),
    // Prompt templates moved into the prompt library (benchmark kind).
    { path: 'templates', redirect: { name: 'prompts', query: { kind: 'benchmark' } } },
    tab(
      'settings',
      'parameter-sets',
      'Parameter sets',
      () => import('@/pages/settings/ParameterSetsPage.vue'),
    ),
    // The page's address before "model profiles" became parameter sets.
    { path: 'profiles', redirect: { name: 'settings-parameter-sets' } },
    tab('settings', 'tokens', 'API tokens', () => import('@/pages/settings/TokensPage.vue')),
    tab('settings', 'webhooks', 'Webhooks', () => import('@/pages/settings/WebhooksPage.vue')),
    tab('settings', 'account', 'Account', () => import('@/pages/settings/AccountPage.vue')),
  ],
}

const adminPages: RouteRecordRaw = {
  path: '/admin',
  component: () => import('@/pages/admin/AdminLayout.vue'),
  redirect: { name: 'admin-users' },
  meta: {
    title: 'Admin',
    adminOnly: true,
    nav: { label: 'Admin', icon: 'shield', feature: 'admin', adminOnly: true },
  },
  // adminOnly on the parent covers the tabs: the guard checks every matched record.
  children: [
    tab('admin', 'users', 'Users', () => import('@/pages/admin/AdminUsersPage.vue')),
    tab('admin', 'jobs', 'Active jobs', () => import('@/pages/admin/AdminJobsPage.vue')),
    tab('admin', 'audit', 'Audit log', () => import('@/pages/admin/AdminAuditPage.vue')),
    tab('admin', 'system', 'System', () => import('@/pages/admin/AdminSystemPage.vue')),
  ],
}

// Benchmarks, their history and comparisons, and tool evals (pages/benchmarks, history, tooleval).
const benchmarkPages: RouteRecordRaw[] = [
  {
    path: '/benchmarks',
    name: 'benchmark-new',
    component: () => import('@/pages/benchmarks/BenchmarkNewPage.vue'),
    meta: {
      title: 'New benchmark',
      nav: { label: 'Benchmarks', icon: 'pulse', feature: 'benchmarks' },
    },
  },
  {
    path: '/benchmarks/:runId',
    name: 'benchmark-run',
    component: () => import('@/pages/benchmarks/BenchmarkRunPage.vue'),
    meta: { title: 'Benchmark run' },
  },
  {
    path: '/history',
    name: 'history',
    component: () => import('@/pages/history/HistoryPage.vue'),
    meta: { title: 'History', nav: { label: 'History', icon: 'database', feature: 'history' } },
  },
  {
    path: '/history/compare',
    name: 'history-compare',
    component: () => import('@/pages/history/ComparePage.vue'),
    meta: { title: 'Compare runs' },
  },
  {
    // ?kind=&tag=&q=: the list's filters, kept in the address.
    path: '/prompts',
    name: 'prompts',
    component: () => import('@/pages/prompts/PromptLibraryPage.vue'),
    meta: {
      title: 'Prompt library',
      nav: { label: 'Prompt library', icon: 'template', feature: 'prompts' },
    },
  },
  {
    path: '/prompts/:promptId',
    name: 'prompt',
    component: () => import('@/pages/prompts/PromptEntryPage.vue'),
    meta: { title: 'Prompt · Prompt library' },
  },
  {
    path: '/tool-eval',
    name: 'tooleval',
    component: () => import('@/pages/tooleval/SuitesPage.vue'),
    meta: { title: 'Tool eval', nav: { label: 'Tool eval', icon: 'check', feature: 'tool-eval' } },
  },
  {
    path: '/tool-eval/suites/:suiteId',
    name: 'tooleval-suite',
    component: () => import('@/pages/tooleval/SuitePage.vue'),
    meta: { title: 'Suite · Tool eval' },
  },
  {
    // ?a=<run>&b=<run>&ta=<model>&tb=<model>; b defaults to a (two models of one run).
    path: '/tool-eval/compare',
    name: 'tooleval-compare',
    component: () => import('@/pages/tooleval/EvalComparePage.vue'),
    meta: { title: 'Compare · Tool eval' },
  },
  {
    path: '/tool-eval/runs/:runId',
    name: 'tooleval-run',
    component: () => import('@/pages/tooleval/EvalRunPage.vue'),
    meta: { title: 'Eval run · Tool eval' },
  },
]

// LLM-as-judge (pages/judge): the judges' agreement, comparisons and reports.
const judgePages: RouteRecordRaw[] = [
  {
    path: '/judge',
    name: 'judges',
    component: () => import('@/pages/judge/JudgesPage.vue'),
    meta: { title: 'Judges', nav: { label: 'Judges', icon: 'sparkles', feature: 'judge' } },
  },
  {
    // ?a=<run>&ta=<model>&b=<run>&tb=<model>
    path: '/judge/compare',
    name: 'judge-compare',
    component: () => import('@/pages/judge/JudgeComparePage.vue'),
    meta: { title: 'Compare · Judge' },
  },
  {
    path: '/judge/reports/:reportId',
    name: 'judge-report',
    component: () => import('@/pages/judge/JudgeReportPage.vue'),
    meta: { title: 'Report · Judge' },
  },
]

// Experiments (pages/experiments): runs of one suite around a baseline, the best, a timeline.
const experimentPages: RouteRecordRaw[] = [
  {
    // ?q=&archived=1: the list's search and the archived toggle, kept in the address.
    path: '/experiments',
    name: 'experiments',
    component: () => import('@/pages/experiments/ExperimentsPage.vue'),
    meta: {
      title: 'Experiments',
      nav: { label: 'Experiments', icon: 'flask', feature: 'experiments' },
    },
  },
  {
    path: '/experiments/:experimentId',
    name: 'experiment',
    component: () => import('@/pages/experiments/ExperimentPage.vue'),
    meta: { title: 'Experiment' },
  },
]

// The parameter tuner (pages/tuning): its runs, and setting up a new one.
const tuningPages: RouteRecordRaw[] = [
  {
    // ?q=&status=: the list's filters, kept in the address.
    path: '/tuning',
    name: 'tuning',
    component: () => import('@/pages/tuning/TuningPage.vue'),
    meta: { title: 'Tuner', nav: { label: 'Tuner', icon: 'dial', feature: 'tuning' } },
  },
  {
    path: '/tuning/new',
    name: 'tuning-new',
    component: () => import('@/pages/tuning/NewTuningPage.vue'),
    meta: { title: 'New tuning run · Tuner' },
  },
]

// Schedules (pages/schedules): runs that start by themselves, their trend and alerts.
const schedulePages: RouteRecordRaw[] = [
  {
    path: '/schedules',
    name: 'schedules',
    component: () => import('@/pages/schedules/SchedulesPage.vue'),
    meta: {
      title: 'Schedules',
      nav: { label: 'Schedules', icon: 'calendar', feature: 'schedules' },
    },
  },
  {
    path: '/schedules/new',
    name: 'schedule-new',
    component: () => import('@/pages/schedules/ScheduleEditorPage.vue'),
    meta: { title: 'New schedule · Schedules' },
  },
  {
    path: '/schedules/:scheduleId',
    name: 'schedule',
    component: () => import('@/pages/schedules/SchedulePage.vue'),
    meta: { title: 'Schedule' },
  },
  {
    path: '/schedules/:scheduleId/edit',
    name: 'schedule-edit',
    component: () => import('@/pages/schedules/ScheduleEditorPage.vue'),
    meta: { title: 'Edit schedule · Schedules' },
  },
]

export const pageRoutes: RouteRecordRaw[] = [
  {
    path: '/',
    name: 'overview',
    component: () => import('@/pages/OverviewPage.vue'),
    meta: { title: 'Overview', nav: { label: 'Overview', icon: 'overview', feature: 'overview' } },
  },
  ...benchmarkPages,
  ...judgePages,
  ...experimentPages,
  ...tuningPages,
  {
    path: '/tuning/runs/:runId',
    name: 'tuning-run',
    component: () => import('@/pages/tuning/TuningRunPage.vue'),
    meta: { title: 'Tuner run' },
  },
  ...schedulePages,
  {
    path: '/jobs',
    name: 'jobs',
    component: () => import('@/pages/JobsPage.vue'),
    meta: { title: 'Jobs', nav: { label: 'Jobs', icon: 'jobs', feature: 'jobs' } },
  },
  {
    // ?unread=1: the unread ones only. Reached from the header's bell.
    path: '/notifications',
    name: 'notifications',
    component: () => import('@/pages/notifications/NotificationsPage.vue'),
    meta: { title: 'Notifications' },
  },
  settingsPages,
  adminPages,
  {
    path: '/welcome',
    name: 'welcome',
    component: () => import('@/pages/onboarding/OnboardingPage.vue'),
    meta: { title: 'Welcome' },
  },
  ...authPages,
]

/** Pages served by the backend itself (full page loads, not client routes). */
export interface ExternalLink {
  label: string
  href: string
  icon: IconName
  description: string
  feature: string
}

export const externalLinks: ExternalLink[] = [
  {
    label: 'API docs',
    href: '/api/docs',
    icon: 'docs',
    description: 'Interactive reference for the REST API',
    feature: 'api-docs',
  },
]

export const notFoundRoute: RouteRecordRaw = {
  path: '/:pathMatch(.*)*',
  name: 'not-found',
  component: () => import('@/pages/NotFoundPage.vue'),
  meta: { title: 'Page not found', public: true },
}
