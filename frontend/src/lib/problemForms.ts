// The problem page's action forms: the fields each button asks for and the call that submits them.
import {
  acceptProblem,
  assignProblem,
  listAssignees,
  cancelProblem,
  decideExtension,
  reopenProblem,
  requestExtension,
  requireReview,
  reviewProblem,
} from '@/api/problems'
import type { ProblemDetail } from '@/api/types'
import type { PopupField } from '@/components/FormPopup.vue'
import type { ButtonKey } from '@/lib/actions'

export interface ProblemForm {
  title: string
  submit: string
  danger?: boolean
  fields: PopupField[]
  /** fields that need data first (who can be assigned) */
  load?: () => Promise<PopupField[]>
  run: (id: number, v: Record<string, unknown>, key: string) => Promise<ProblemDetail>
  done: string
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null)
const text = (v: unknown) => String(v ?? '').trim()
const note = (name: string, label: string, required = false, placeholder?: string): PopupField => ({
  name,
  label,
  type: 'textarea',
  required,
  placeholder,
  maxlength: 2000,
})

let people: { id: number; display_name: string; role: string }[] = []
const person = (p: { display_name: string; role: string }) => `${p.display_name}（${p.role === 'enterprise_admin' ? '环保负责人' : '企业人员'}）`

export const PROBLEM_FORMS: Partial<Record<ButtonKey, ProblemForm>> = {
  assign: {
    title: '指派负责人',
    submit: '指派',
    fields: [],
    load: async () => {
      people = await listAssignees()
      return [{ name: 'owner', label: '负责人', type: 'select', required: true, options: people.map(person) }]
    },
    run: (id, v) => assignProblem(id, people.find((p) => person(p) === v.owner)?.id ?? 0),
    done: '已指派',
  },
  accept: {
    title: '接收问题并填写整改计划',
    submit: '确认接收',
    fields: [note('plan', '整改计划', false, '整改措施、责任人等'), { name: 'target_date', label: '计划完成日期', type: 'date' }],
    run: (id, v) => acceptProblem(id, { plan: str(v.plan), target_date: str(v.target_date) }),
    done: '已接收，进入整改',
  },
  request_extension: {
    title: '申请延期',
    submit: '提交申请',
    fields: [
      { name: 'days', label: '延期天数', type: 'days', required: true, default: 15 },
      note('reason', '延期理由', true, '说明无法按期完成的原因'),
    ],
    run: (id, v, key) => requestExtension(id, { days: Number(v.days), reason: text(v.reason) }, key),
    done: '延期申请已提交',
  },
  'review:approve': {
    title: '核查通过，予以销号',
    submit: '核查通过',
    fields: [note('comment', '核查意见', false, '选填')],
    run: (id, v, key) => reviewProblem(id, { decision: 'approve', comment: str(v.comment) }, key),
    done: '已核查销号',
  },
  'review:return': {
    title: '退回整改',
    submit: '退回',
    danger: true,
    fields: [note('comment', '退回理由', true, '请写明需要补充或重新整改的内容')],
    run: (id, v, key) => reviewProblem(id, { decision: 'return', comment: str(v.comment) }, key),
    done: '已退回企业整改',
  },
  decide_extension: {
    title: '审批延期申请',
    submit: '提交审批',
    fields: [
      { name: 'approve', label: '审批结果', type: 'approve', required: true, options: ['批准', '不批准'], default: true },
      { name: 'new_deadline', label: '新整改期限', type: 'date', placeholder: '不填则按申请天数' },
      note('comment', '审批意见'),
    ],
    run: (id, v) =>
      decideExtension(id, {
        approve: v.approve === true,
        new_deadline: v.approve === true ? str(v.new_deadline) : null,
        comment: str(v.comment),
      }),
    done: '已审批',
  },
  cancel: {
    title: '撤销问题',
    submit: '确认撤销',
    danger: true,
    fields: [note('reason', '撤销理由', true)],
    run: (id, v) => cancelProblem(id, { reason: text(v.reason) }),
    done: '问题已撤销',
  },
  require_review: {
    title: '要求监管核查',
    submit: '确认',
    fields: [note('comment', '说明', false, '选填')],
    run: (id, v) => requireReview(id, { comment: str(v.comment) }),
    done: '已改为需监管核查',
  },
  reopen: {
    title: '重新打开问题',
    submit: '重新打开',
    danger: true,
    fields: [note('reason', '理由', true)],
    run: (id, v) => reopenProblem(id, { reason: text(v.reason) }),
    done: '问题已重新打开',
  },
}
