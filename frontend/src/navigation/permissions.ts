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
