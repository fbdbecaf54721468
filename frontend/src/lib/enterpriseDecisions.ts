// The regulator's decisions on the enterprise page (正面清单, 处罚, 事件, 信用修复): each dialog's fields,
// and the call that records it.
import {
  decideCreditRepair,
  positiveListDecision,
  recordIncident,
  recordPenalty,
} from '@/api/supervision'
import type { CreditRepair } from '@/api/types'
import type { PopupField } from '@/components/FormPopup.vue'

export type DecisionMode = 'admit' | 'override' | 'remove' | 'reinstate' | 'penalty' | 'incident' | 'repair'

export interface DecisionDialog {
  title: string
  submit: string
  danger?: boolean
  fields: PopupField[]
}

/** The dialogs; `today` (Asia/Shanghai) is the default date of penalties and incidents. */
export function decisionDialogs(today: string): Record<DecisionMode, DecisionDialog> {
  return {
    admit: {
      title: '纳入监督执法正面清单',
      submit: '纳入',
      fields: [
        { name: 'reason', label: '理由', type: 'textarea', required: true },
        { name: 'valid_years', label: '有效期（年）', type: 'number', placeholder: '默认按规定年限' },
      ],
    },
    override: {
      title: '不符合条件，仍要纳入正面清单',
      submit: '确认越过条件纳入',
      danger: true,
      fields: [
        { name: 'reason', label: '纳入理由', type: 'textarea', required: true },
        {
          name: 'override_reason',
          label: '越过条件的理由',
          type: 'textarea',
          required: true,
          placeholder: '至少10个字；记入审计，并显示在企业页面',
        },
        { name: 'valid_years', label: '有效期（年）', type: 'number', placeholder: '默认按规定年限' },
      ],
    },
    remove: { title: '移出正面清单', submit: '移出', danger: true, fields: [{ name: 'reason', label: '理由', type: 'textarea', required: true }] },
    reinstate: {
      title: '恢复正面清单资格',
      submit: '恢复',
      fields: [{ name: 'reason', label: '核实意见', type: 'textarea', required: true }],
    },
    penalty: {
      title: '记录行政处罚',
      submit: '保存',
      fields: [
        { name: 'decision_no', label: '决定书文号', type: 'text', required: true },
        { name: 'decided_on', label: '决定日期', type: 'date', required: true, default: today },
        { name: 'amount', label: '罚款金额（元）', type: 'number' },
        { name: 'credit_category', label: '失信类别', type: 'select', required: true, options: ['轻微失信', '一般失信', '严重失信'] },
        { name: 'paid_on', label: '缴纳日期', type: 'date' },
        { name: 'description', label: '说明', type: 'textarea' },
      ],
    },
    incident: {
      title: '记录突发环境事件',
      submit: '保存',
      fields: [
        { name: 'occurred_on', label: '发生日期', type: 'date', required: true, default: today },
        { name: 'level', label: '事件等级', type: 'select', required: true, options: ['一般', '较大', '重大', '特别重大'] },
        { name: 'description', label: '说明', type: 'textarea' },
      ],
    },
    repair: {
      title: '信用修复审核',
      submit: '提交决定',
      fields: [
        { name: 'approve', label: '审核结果', type: 'approve', default: true },
        { name: 'reason', label: '审核意见', type: 'textarea', required: true },
      ],
    },
  }
}

const s = (v: unknown) => (typeof v === 'string' ? v.trim() : '')

/** Record one decision with the dialog's values; `key` is the dialog's Idempotency-Key. */
export async function recordDecision(
  enterpriseId: number,
  mode: DecisionMode,
  v: Record<string, unknown>,
  key: string,
  repairTarget: CreditRepair | null,
): Promise<void> {
  if (mode === 'admit' || mode === 'override' || mode === 'remove' || mode === 'reinstate') {
    const override = mode === 'override'
    await positiveListDecision(
      enterpriseId,
      {
        action: override ? 'admit' : mode,
        reason: s(v.reason),
        valid_years: v.valid_years ? Number(v.valid_years) : null,
        ...(override ? { override: true, override_reason: s(v.override_reason) } : {}),
      },
      key,
    )
  } else if (mode === 'penalty') {
    await recordPenalty(
      enterpriseId,
      {
        decision_no: s(v.decision_no),
        decided_on: s(v.decided_on),
        amount: v.amount ? Number(v.amount) : 0,
        paid_on: s(v.paid_on) || null,
        credit_category: s(v.credit_category),
        description: s(v.description),
      },
      key,
    )
  } else if (mode === 'incident') {
    await recordIncident(enterpriseId, { occurred_on: s(v.occurred_on), level: s(v.level), description: s(v.description) }, key)
  } else if (mode === 'repair' && repairTarget) {
    await decideCreditRepair(repairTarget.id, { approve: v.approve !== false, reason: s(v.reason) }, key)
  }
}
