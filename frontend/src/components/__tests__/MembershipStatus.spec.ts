import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import MembershipStatus from '../MembershipStatus.vue'

describe('MembershipStatus', () => {
  it('shows an automatic suspension with its reasons', () => {
    const w = mount(MembershipStatus, {
      props: {
        membership: {
          member: false, status: 'suspended', since: '2026-04-01', until: '2029-03-31', suspended: true,
          suspended_on: '2026-12-02', removed_on: null, removed_reason: null,
          reasons: [{ trigger: 'penalty', label: '受到环境行政处罚', detail: '长环罚〔2026〕12号（2026-11-12）', evidence_ids: [] }],
        },
      },
    })
    expect(w.text()).toContain('正面清单资格已暂停')
    expect(w.text()).toContain('2026-12-02 自动暂停')
    expect(w.text()).toContain('受到环境行政处罚：长环罚〔2026〕12号')
  })

  it('shows the publication window and marks an unchecked basis', () => {
    const w = mount(MembershipStatus, {
      props: {
        publication: {
          credit_category: '一般失信', min_months: 3, max_months: 12, min_ends_on: '2026-09-01',
          max_ends_on: '2027-06-01', ended: false, basis: '信用修复管理办法（国家发展改革委令第36号）', basis_checked: false,
        },
      },
    })
    expect(w.find('[data-testid=membership]').exists()).toBe(false)
    const text = w.find('[data-testid=publication]').text()
    expect(text).toContain('最长公示至 2027-06-01')
    expect(text).toContain('届时自动停止公示')
    expect(text).toContain('待核实')
  })
})
