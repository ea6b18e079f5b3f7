# The new CIAM's authorization policy for the health-tech API (the demo world: docs/demo.md).
#
# Input: {"token": <verified claims of the new-side token>, "action", "resource", "context"}.
# New tokens carry sub (the new id), legacy_sub (the legacy id; absent for users created just in
# time), roles (new role names), tenant, proxy_for, client_id, scope. While the migration runs,
# resources keep legacy ids (ownerId, careTeam), so ownership compares with token.legacy_sub.
#
# Entrypoint authz/decision: {"allow": bool, "reasons": [string]}. Any deny wins; else allow when
# some allow path holds; else "deny.default". Reasons are machine-stable strings.
package authz

decision := {"allow": false, "reasons": sort(denies)} if {
	count(denies) > 0
} else := {"allow": true, "reasons": sort(allows)} if {
	count(allows) > 0
} else := {"allow": false, "reasons": ["deny.default"]}

# A role claim is a list of names or a single name.
roles contains role if some role in input.token.roles

roles contains input.token.roles if is_string(input.token.roles)

# Undefined for a JIT-migrated user (no legacy_sub): every ownership check below then fails.
legacy_id := input.token.legacy_sub

same_tenant if input.resource.tenantId == input.token.tenant

owns_resource if input.resource.ownerId == legacy_id

on_care_team if legacy_id in input.resource.careTeam

# Roles bound to a tenant: their requests never cross into another tenant.
tenant_bound_roles := {"clinician", "nurse", "finance", "tenant_admin", "service", "partner"}
