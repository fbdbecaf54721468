// Maps the server's allowed_actions to buttons; the UI never decides on its own what is allowed.
import type { ProblemAction } from '@/api/types'

export type ButtonKey =
  | 'accept'
  | 'submit_rectification'
  | 'request_extension'
  | 'review:approve'
  | 'review:return'
  | 'decide_extension'
  | 'cancel'
  | 'require_review'
  | 'reopen'
  | 'assign'

export interface ActionButton {
  key: ButtonKey
  action: ProblemAction
  label: string
  type: 'primary' | 'success' | 'danger' | 'warning' | 'default'
  plain: boolean
}

const BUTTONS: ActionButton[] = [
  { key: 'submit_rectification', action: 'submit_rectification', label: '提交整改', type: 'primary', plain: false },
  { key: 'accept', action: 'accept', label: '接收并填写整改计划', type: 'primary', plain: true },
  { key: 'request_extension', action: 'request_extension', label: '申请延期', type: 'warning', plain: true },
  { key: 'review:approve', action: 'review', label: '核查通过', type: 'success', plain: false },
  { key: 'review:return', action: 'review', label: '退回整改', type: 'danger', plain: true },
  { key: 'decide_extension', action: 'decide_extension', label: '审批延期', type: 'primary', plain: false },
  { key: 'require_review', action: 'require_review', label: '要求核查', type: 'warning', plain: true },
  { key: 'reopen', action: 'reopen', label: '重新打开', type: 'warning', plain: false },
  { key: 'assign', action: 'assign', label: '指派负责人', type: 'default', plain: true },
  { key: 'cancel', action: 'cancel', label: '撤销问题', type: 'danger', plain: true },
]

/** Buttons for the actions the server allows, in a fixed order; unknown names are ignored. */
export function actionButtons(allowed: readonly string[] | null | undefined): ActionButton[] {
  const set = new Set(allowed ?? [])
  return BUTTONS.filter((b) => set.has(b.action))
}
