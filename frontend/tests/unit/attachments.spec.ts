import { describe, expect, it } from 'vitest'
import { attachmentRights } from '@/navigation/permissions'
import { ATTACHMENT_MAX_BYTES, attachmentProblem, fileSize } from '@/utils/attachments'

describe('an attachment picked for upload', () => {
  const file = (name: string, type: string, size = 1000) => ({ name, type, size })
  it('may be a JPEG, PNG or PDF of up to 10 MB', () => {
    expect(attachmentProblem(file('门前.jpg', 'image/jpeg'))).toBeNull()
    expect(attachmentProblem(file('a.PNG', 'image/png', ATTACHMENT_MAX_BYTES))).toBeNull()
    expect(attachmentProblem(file('授权书.pdf', 'application/pdf'))).toBeNull()
  })
  it('is judged by its name when the browser gives no type', () => {
    expect(attachmentProblem(file('扫描件.PDF', ''))).toBeNull()
    expect(attachmentProblem(file('照片.jpeg', ''))).toBeNull()
    expect(attachmentProblem(file('说明.docx', ''))).toBe('fileType')
    expect(attachmentProblem(file('无扩展名', ''))).toBe('fileType')
  })
  it('is refused for another type, whatever the name says', () => {
    expect(attachmentProblem(file('照片.png', 'image/gif'))).toBe('fileType')
    expect(attachmentProblem(file('record.pdf', 'text/html'))).toBe('fileType')
    expect(attachmentProblem(file('a.heic', 'image/heic'))).toBe('fileType')
  })
  it('is refused when too large or empty', () => {
    expect(attachmentProblem(file('big.pdf', 'application/pdf', ATTACHMENT_MAX_BYTES + 1))).toBe('fileTooLarge')
    expect(attachmentProblem(file('empty.png', 'image/png', 0))).toBe('fileEmpty')
  })
  it('shows its size as people read it', () => {
    expect(fileSize(812)).toBe('812 B')
    expect(fileSize(41_165)).toBe('40.2 KB')
    expect(fileSize(3 * 1024 * 1024 + 100_000)).toBe('3.1 MB')
  })
})

describe('what a user may do with a household\'s files', () => {
  const holding = (...permissions: string[]) => (p: string) => permissions.includes(p)
  it('uploads with household:attach and deletes only with household:update', () => {
    // The county approver, the township leader, the village worker: attach, not update.
    expect(attachmentRights(holding('household:read', 'household:attach'))).toEqual({ upload: true, delete: false })
    // The township caseworker holds both.
    expect(attachmentRights(holding('household:read', 'household:attach', 'household:update'))).toEqual({ upload: true, delete: true })
    // The inspector reads only.
    expect(attachmentRights(holding('household:read'))).toEqual({ upload: false, delete: false })
  })
})
