# Explicit denies: any of them overrides every allow (authz.rego).
package authz

denies contains "deny.audit_log_immutable" if {
	input.resource.type == "audit_log"
	input.action in {"write", "delete"}
}

# A missing tenant claim does not trigger this deny; the allows below then fail on same_tenant.
denies contains "deny.cross_tenant" if {
	some role in roles
	role in tenant_bound_roles
	input.resource.tenantId != input.token.tenant
}

denies contains "deny.nurse_prescribe" if {
	"nurse" in roles
	input.action == "write"
	input.resource.type == "prescription"
}

denies contains "deny.clinical_export" if {
	input.action == "export"
	input.resource.type in {"patient_record", "clinical_note"}
}
