import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { attachmentRights } from '@/navigation/permissions'
import { ATTACHMENT_MAX_BYTES, attachmentProblem, fileSize, withdrawUploads } from '@/utils/attachments'

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

describe('files uploaded for a step that was not taken (AttachmentUpload.withdraw)', () => {
  const files = [
    { id: 11, file_name: '草稿.pdf' },
    { id: 12, file_name: '误传照片.png' },
    { id: 13, file_name: '授权书.pdf' },
  ]
  it('are each deleted from the household again', async () => {
    const deleted: number[] = []
    const failed = await withdrawUploads(files, async (f) => {
      deleted.push(f.id)
    })
    expect(failed).toEqual([])
    expect(deleted.sort()).toEqual([11, 12, 13])
  })
  it('count as deleted when already gone (404), and are told when a delete fails', async () => {
    const gone = new ApiError(404, 'attachment_not_found', '附件不存在')
    const cited = new ApiError(409, 'attachment_in_case', '此附件已用于案件办理（申请的授权书或办理步骤的附件），不能删除')
    const failed = await withdrawUploads(files, async (f) => {
      if (f.id === 11) throw gone
      if (f.id === 13) throw cited
    })
    expect(failed).toEqual([{ file: files[2], error: cited }])
  })
  it('are left alone when there are none', async () => {
    let calls = 0
    expect(await withdrawUploads([], async () => void calls++)).toEqual([])
    expect(calls).toBe(0)
  })
})
