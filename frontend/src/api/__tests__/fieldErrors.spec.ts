import { describe, expect, it } from 'vitest'
import { ApiError, fieldErrors } from '@/api/http'

describe('fieldErrors', () => {
  it('joins a field’s messages and flattens nested fields to dotted names', () => {
    const err = new ApiError(422, 'validation_error', '提交的内容有误', {
      fields: { code: ['必填', '过长'], legal_basis: { '0': { article: ['长度应为1-100个字符'] } } },
    })
    expect(fieldErrors(err)).toEqual({ code: '必填；过长', 'legal_basis.0.article': '长度应为1-100个字符' })
  })

  it('is empty for anything that is not a field error', () => {
    expect(fieldErrors(new Error('x'))).toEqual({})
    expect(fieldErrors(new ApiError(409, 'conflict', '冲突', { missing: ['经办人'] }))).toEqual({})
  })
})
