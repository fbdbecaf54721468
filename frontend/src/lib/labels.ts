// Chinese labels for server codes shown in several pages.
export const HISTORY_LABELS: Record<string, string> = {
  'problem.opened': '发现问题',
  'problem.repeated': '重复发现',
  'problem.accepted': '企业接收整改',
  'problem.rectification_submitted': '提交整改',
  'problem.self_closed': '自行销号',
  'problem.verified': '核查通过，销号',
  'problem.returned': '退回整改',
  'problem.extension_requested': '申请延期',
  'problem.extension_decided': '延期审批',
  'problem.cancelled': '撤销',
  'problem.review_required': '要求监管核查',
  'problem.reopened': '重新打开',
  'problem.assigned': '指派负责人',
  'problem.from_inspection': '执法检查发现',
}

export const ROLE_LABELS: Record<string, string> = {
  enterprise_staff: '企业人员',
  enterprise_admin: '企业环保负责人',
  regulator: '监管人员',
  regulator_admin: '监管管理员',
  sysadmin: '系统管理员',
}

export const SOURCE_LABELS: Record<string, string> = {
  selfcheck: '自查发现',
  self_report: '企业主动报告',
  regulator: '监管发现',
  warning: '风险预警',
}

export const STATUS_LABELS: Record<string, string> = {
  open: '待整改',
  rectifying: '整改中',
  extension_requested: '申请延期',
  submitted: '待核查',
  verified: '已销号',
  self_closed: '已自行销号',
  cancelled: '已撤销',
}

export const historyLabel = (action: string) => HISTORY_LABELS[action] ?? action.replace(/^problem\./, '')

/** Tag colour that follows the grade: A green, B blue, C orange, D red (C is never green). */
export function gradeTagType(g: string | null | undefined): 'success' | 'primary' | 'warning' | 'danger' | 'default' {
  if (!g) return 'default'
  if (/优|A/.test(g)) return 'success'
  if (/良|B/.test(g)) return 'primary'
  if (/中|C/.test(g)) return 'warning'
  return 'danger'
}
