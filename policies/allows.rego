# Allow paths, one reason each. Two differences from the legacy rules are planted on purpose for
# the demo (docs/demo.md): finance may read clinical notes, and there is no break-glass path.
package authz

patient_readable := {"patient_record", "lab_result", "prescription", "appointment", "billing_record"}

proxy_readable := {"patient_record", "lab_result", "prescription", "appointment"}

care_team_readable := {"patient_record", "clinical_note", "prescription", "lab_result", "appointment"}

# --- patients and caregivers ---------------------------------------------------------------

allows contains "patient.own_record" if {
	"patient" in roles
	input.action == "read"
	input.resource.type in patient_readable
	owns_resource
}

allows contains "patient.book_appointment" if {
	"patient" in roles
	input.action == "write"
	input.resource.type == "appointment"
	owns_resource
}

allows contains "account.own_profile" if {
	some role in roles
	role in {"patient", "caregiver"}
	input.action in {"read", "write"}
	input.resource.type == "user_account"
	owns_resource
}

allows contains "caregiver.proxy_read" if {
	"caregiver" in roles
	input.action == "read"
	input.resource.type in proxy_readable
	input.resource.ownerId in input.token.proxy_for
}

allows contains "caregiver.proxy_book" if {
	"caregiver" in roles
	input.action == "write"
	input.resource.type == "appointment"
	input.resource.ownerId in input.token.proxy_for
}

# --- care teams ----------------------------------------------------------------------------

allows contains "clinician.care_team_read" if {
	"clinician" in roles
	input.action == "read"
	input.resource.type in care_team_readable
	on_care_team
	same_tenant
}

allows contains "clinician.care_team_write" if {
	"clinician" in roles
	input.action == "write"
	input.resource.type in {"clinical_note", "prescription", "lab_result"}
	on_care_team
	same_tenant
}

allows contains "nurse.care_team_read" if {
	"nurse" in roles
	input.action == "read"
	input.resource.type in care_team_readable
	on_care_team
	same_tenant
}

# PLANTED LATENT DRIFT (demo): lab results were added to what nurses may write on their care team
# (the point-of-care glucose workflow). The legacy rules never allowed it and no nurse writes lab
# results in shadow mode, so no request ever shows it: only the entitlement matrix does
# (docs/latent.md).
allows contains "nurse.care_team_write" if {
	"nurse" in roles
	input.action == "write"
	input.resource.type in {"appointment", "clinical_note", "lab_result"}
	on_care_team
	same_tenant
}

# --- business staff ------------------------------------------------------------------------

allows contains "finance.billing_read" if {
	"finance" in roles
	input.action == "read"
	input.resource.type == "billing_record"
	same_tenant
}

allows contains "finance.billing_write" if {
	"finance" in roles
	input.action == "write"
	input.resource.type == "billing_record"
	same_tenant
}

# PLANTED DRIFT (demo): the new IdP merged the legacy roles billing and medical-coder into
# finance, and coders read notes to code encounters. Every billing clerk inherits it: the legacy
# rules never let billing read clinical notes (over_permission).
allows contains "finance.clinical_note_read" if {
	"finance" in roles
	input.action == "read"
	input.resource.type == "clinical_note"
	same_tenant
}

allows contains "admin.user_accounts" if {
	"tenant_admin" in roles
	input.action in {"read", "write", "create", "disable"}
	input.resource.type == "user_account"
	same_tenant
}

allows contains "admin.audit_read" if {
	"tenant_admin" in roles
	input.action == "read"
	input.resource.type == "audit_log"
	same_tenant
}

# --- clients (client-credentials tokens) ---------------------------------------------------

allows contains "service.lab_read" if {
	"service" in roles
	input.action == "read"
	input.resource.type == "lab_result"
	same_tenant
}

allows contains "service.appointment_read" if {
	"service" in roles
	input.action == "read"
	input.resource.type == "appointment"
	same_tenant
}

allows contains "partner.billing_export" if {
	"partner" in roles
	input.action == "export"
	input.resource.type == "billing_record"
	input.context.purposeOfUse == "payment"
	same_tenant
}

# PLANTED DRIFT (demo): no break-glass path. The legacy rule break-glass-emergency-read lets a
# clinician in an elevated emergency session read any chart of the tenant (under_permission).
