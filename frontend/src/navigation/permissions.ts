/** What a user may do with one kind of thing, e.g. household: read, update. */
export interface PermissionGroup {
  resource: string
  actions: string[]
}

/** The order in which kinds of work are listed: casework first, administration last. */
export const RESOURCE_ORDER = [
  'case', 'household', 'beneficiary', 'evaluation', 'notice', 'spotcheck', 'recheck', 'change', 'exit', 'relative',
  'roster', 'fund', 'bankfile', 'complaint', 'alert', 'report',
  'user', 'division', 'standard', 'setting', 'security', 'audit', 'county', 'platform',
]

/**
 * Groups "resource:action" permission strings by resource, in RESOURCE_ORDER;
 * resources not in it come last, in the order first seen. "read" leads each group.
 */
export function groupPermissions(permissions: readonly string[]): PermissionGroup[] {
  const groups = new Map<string, string[]>()
  for (const permission of permissions) {
    const [resource, action = ''] = permission.split(':', 2)
    const actions = groups.get(resource) ?? []
    if (action && !actions.includes(action)) actions.push(action)
    groups.set(resource, actions)
  }
  const rank = (resource: string) => {
    const i = RESOURCE_ORDER.indexOf(resource)
    return i === -1 ? RESOURCE_ORDER.length : i
  }
  return [...groups]
    .map(([resource, actions]) => ({ resource, actions: actions.sort((a, b) => Number(b === 'read') - Number(a === 'read')) }))
    .sort((a, b) => rank(a.resource) - rank(b.resource))
}

/** What a user may do with a household's files from a step of a case or the household's page. */
export interface AttachmentRights {
  /** Upload a file to the household (household:attach, held by every role that takes a step). */
  upload: boolean
  /**
   * Removing a file deletes it from the household (household:update); without it, a file
   * just uploaded can only be left out of the step, and stays on the household's record.
   */
  delete: boolean
}

export function attachmentRights(can: (permission: string) => boolean): AttachmentRights {
  return { upload: can('household:attach'), delete: can('household:update') }
}
