/** pretix's 13 legacy team permission flags; the names are part of the wire contract. */
export const PERMISSION_FLAGS = [
  'can_create_events',
  'can_change_teams',
  'can_change_organizer_settings',
  'can_manage_customers',
  'can_manage_reusable_media',
  'can_manage_gift_cards',
  'can_change_event_settings',
  'can_change_items',
  'can_view_orders',
  'can_change_orders',
  'can_checkin_orders',
  'can_view_vouchers',
  'can_change_vouchers',
] as const;

export type Permission = (typeof PERMISSION_FLAGS)[number];

/** Flags that are checked per event; the rest are organizer-wide. */
export const EVENT_PERMISSIONS: readonly Permission[] = [
  'can_change_event_settings',
  'can_change_items',
  'can_view_orders',
  'can_change_orders',
  'can_checkin_orders',
  'can_view_vouchers',
  'can_change_vouchers',
];

export type PermissionRow = { [P in Permission]: boolean };

export function grantedPermissions(rows: readonly PermissionRow[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const row of rows) for (const flag of PERMISSION_FLAGS) if (row[flag]) granted.add(flag);
  return granted;
}
