import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import LegalBasisList from '../LegalBasisList.vue'

describe('LegalBasisList', () => {
  it('marks unchecked citations 待核实 and says nothing of advice for a statutory item', () => {
    const w = mount(LegalBasisList, {
      props: {
        item: {
          statutory: true,
          limit_basis: '锅炉大气污染物排放标准（GB 13271-2014） 表1：燃煤锅炉 400 mg/m³',
          proof: { label: '许可证编号', on_compliant: true },
          legal_basis: [
            { law: '排污许可管理条例', article: '第十四条', checked: true },
            { law: '排污许可管理条例', article: '第三十三条', checked: false },
          ],
        },
      },
    })
    expect(w.findAll('[data-testid=unchecked]')).toHaveLength(1)
    expect(w.find('[data-testid=advice-tag]').exists()).toBe(false)
    expect(w.find('[data-testid=limit-basis]').text()).toContain('GB 13271-2014')
    expect(w.find('[data-testid=proof]').text()).toContain('选择“合格”时也须提供')
  })

  it('labels a 管理建议 item', () => {
    const w = mount(LegalBasisList, { props: { item: { statutory: false, legal_basis: [] } } })
    expect(w.find('[data-testid=advice-tag]').text()).toContain('管理建议')
    expect(w.text()).toContain('暂无法律依据')
  })
})
