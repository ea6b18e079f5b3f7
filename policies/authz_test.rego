# Unit tests of the demo policy: every allow path, every deny, the default, and the two planted
# differences from the legacy rules (docs/demo.md). Run: bash scripts/test-policies.sh
package authz_test

import data.authz

# --- principals (new-token claims) -----------------------------------------------------------

patient := {"sub": "n-0a1b", "legacy_sub": "u-000101", "roles": ["patient"], "tenant": "t-riverside"}

jit_patient := {"sub": "n-77ee", "roles": ["patient"], "tenant": "t-riverside"}

caregiver := {
	"sub": "n-0c2d", "legacy_sub": "u-000201", "roles": ["caregiver", "patient"],
	"tenant": "t-riverside", "proxy_for": ["u-000101"],
}

caregiver_unmigrated := object.remove(caregiver, ["proxy_for"])

clinician := {"sub": "n-0e3f", "legacy_sub": "u-000301", "roles": ["clinician"], "tenant": "t-riverside"}

break_glass := object.union(clinician, {"acr": "urn:healthtech:break-glass"})

nurse := {"sub": "n-1a4b", "legacy_sub": "u-000401", "roles": ["nurse"], "tenant": "t-riverside"}

finance := {"sub": "n-1c5d", "legacy_sub": "u-000501", "roles": ["finance"], "tenant": "t-riverside"}

admin := {"sub": "n-1e6f", "legacy_sub": "u-000601", "roles": ["tenant_admin"], "tenant": "t-riverside"}

service := {"sub": "svc-lab-sync", "client_id": "svc-lab-sync", "roles": ["service"], "tenant": "t-riverside"}

service_no_tenant := object.remove(service, ["tenant"])

partner := {"sub": "ptn-clearwater", "client_id": "ptn-clearwater", "roles": ["partner"], "tenant": "t-riverside"}

# --- resources (legacy ids) ------------------------------------------------------------------

chart(type) := {
	"type": type, "id": "r-1", "ownerId": "u-000101", "tenantId": "t-riverside",
	"careTeam": ["u-000301", "u-000401"],
}

other_chart(type) := object.union(chart(type), {"ownerId": "u-000999", "careTeam": ["u-000388"]})

foreign_chart(type) := object.union(chart(type), {"tenantId": "t-lakeview"})

tenant_resource(type) := {"type": type, "id": "r-2", "ownerId": "u-000888", "tenantId": "t-riverside"}

decide(token, action, resource, context) := d if {
	d := authz.decision with input as {"token": token, "action": action, "resource": resource, "context": context}
}

allowed(token, action, resource, reason) if {
	d := decide(token, action, resource, {})
	d.allow == true
	d.reasons == [reason]
}

denied(token, action, resource, reasons) if {
	d := decide(token, action, resource, {})
	d.allow == false
	d.reasons == reasons
}

# --- patients and caregivers ------------------------------------------------------------------

test_patient_reads_own_records if {
	every type in ["patient_record", "lab_result", "prescription", "appointment", "billing_record"] {
		allowed(patient, "read", chart(type), "patient.own_record")
	}
}

test_patient_reads_other_patient_denied if {
	denied(patient, "read", other_chart("patient_record"), ["deny.default"])
}

test_patient_books_own_appointment if {
	allowed(patient, "write", chart("appointment"), "patient.book_appointment")
}

test_patient_cannot_read_clinical_note if {
	denied(patient, "read", chart("clinical_note"), ["deny.default"])
}

test_patient_and_caregiver_manage_own_profile if {
	account := object.union(tenant_resource("user_account"), {"ownerId": "u-000101"})
	allowed(patient, "read", account, "account.own_profile")
	allowed(patient, "write", account, "account.own_profile")
	denied(patient, "read", tenant_resource("user_account"), ["deny.default"])
	allowed(caregiver, "write", object.union(account, {"ownerId": "u-000201"}), "account.own_profile")
}

test_role_claim_may_be_a_single_string if {
	allowed(object.union(patient, {"roles": "patient"}), "read", chart("lab_result"), "patient.own_record")
}

test_jit_patient_without_legacy_sub_is_denied if {
	denied(jit_patient, "read", chart("patient_record"), ["deny.default"])
}

test_caregiver_reads_proxied_patient if {
	every type in ["patient_record", "lab_result", "prescription", "appointment"] {
		allowed(caregiver, "read", chart(type), "caregiver.proxy_read")
	}
}

test_caregiver_books_for_proxied_patient if {
	allowed(caregiver, "write", chart("appointment"), "caregiver.proxy_book")
}

test_caregiver_cannot_read_unrelated_patient if {
	denied(caregiver, "read", other_chart("patient_record"), ["deny.default"])
}

test_caregiver_without_migrated_proxy_is_denied if {
	denied(caregiver_unmigrated, "read", chart("patient_record"), ["deny.default"])
}

# --- care teams --------------------------------------------------------------------------------

test_clinician_reads_care_team_charts if {
	every type in ["patient_record", "clinical_note", "prescription", "lab_result", "appointment"] {
		allowed(clinician, "read", chart(type), "clinician.care_team_read")
	}
}

test_clinician_writes_care_team_notes if {
	every type in ["clinical_note", "prescription", "lab_result"] {
		allowed(clinician, "write", chart(type), "clinician.care_team_write")
	}
}

test_clinician_outside_care_team_denied if {
	denied(clinician, "read", other_chart("clinical_note"), ["deny.default"])
}

test_clinician_other_tenant_denied if {
	denied(clinician, "read", foreign_chart("patient_record"), ["deny.cross_tenant"])
}

test_nurse_reads_care_team_charts if {
	every type in ["patient_record", "clinical_note", "prescription", "lab_result", "appointment"] {
		allowed(nurse, "read", chart(type), "nurse.care_team_read")
	}
}

test_nurse_writes_appointments_notes_and_lab_results if {
	allowed(nurse, "write", chart("appointment"), "nurse.care_team_write")
	allowed(nurse, "write", chart("clinical_note"), "nurse.care_team_write")
	allowed(nurse, "write", chart("lab_result"), "nurse.care_team_write")
}

test_nurse_never_prescribes if {
	denied(nurse, "write", chart("prescription"), ["deny.nurse_prescribe"])
}

test_denies_are_all_reported_sorted if {
	denied(nurse, "write", foreign_chart("prescription"), ["deny.cross_tenant", "deny.nurse_prescribe"])
}

# PLANTED DRIFT: the legacy rule break-glass-emergency-read has no counterpart here.
test_break_glass_outside_care_team_denied if {
	d := decide(break_glass, "read", other_chart("patient_record"), {"breakGlass": true, "purposeOfUse": "emergency"})
	d == {"allow": false, "reasons": ["deny.default"]}
}

test_break_glass_session_keeps_care_team_access if {
	d := decide(break_glass, "read", chart("clinical_note"), {"breakGlass": true, "purposeOfUse": "emergency"})
	d == {"allow": true, "reasons": ["clinician.care_team_read"]}
}

# --- business staff ----------------------------------------------------------------------------

test_finance_reads_and_writes_billing if {
	allowed(finance, "read", tenant_resource("billing_record"), "finance.billing_read")
	allowed(finance, "write", tenant_resource("billing_record"), "finance.billing_write")
}

# PLANTED DRIFT: legacy billing staff never read clinical notes.
test_finance_reads_clinical_notes if {
	allowed(finance, "read", other_chart("clinical_note"), "finance.clinical_note_read")
}

test_finance_other_tenant_denied if {
	denied(finance, "read", foreign_chart("billing_record"), ["deny.cross_tenant"])
}

test_admin_manages_user_accounts if {
	every action in ["read", "write", "create", "disable"] {
		allowed(admin, action, tenant_resource("user_account"), "admin.user_accounts")
	}
}

test_admin_reads_audit_log if {
	allowed(admin, "read", tenant_resource("audit_log"), "admin.audit_read")
}

test_audit_log_is_immutable if {
	denied(admin, "delete", tenant_resource("audit_log"), ["deny.audit_log_immutable"])
	denied(admin, "write", tenant_resource("audit_log"), ["deny.audit_log_immutable"])
}

# --- clients -----------------------------------------------------------------------------------

test_service_reads_labs_and_appointments if {
	allowed(service, "read", chart("lab_result"), "service.lab_read")
	allowed(service, "read", chart("appointment"), "service.appointment_read")
}

test_service_cannot_read_notes if {
	denied(service, "read", chart("clinical_note"), ["deny.default"])
}

test_service_without_tenant_claim_is_denied if {
	denied(service_no_tenant, "read", chart("lab_result"), ["deny.default"])
}

test_partner_exports_billing_for_payment if {
	d := decide(partner, "export", tenant_resource("billing_record"), {"purposeOfUse": "payment"})
	d == {"allow": true, "reasons": ["partner.billing_export"]}
}

test_partner_export_needs_payment_purpose if {
	d := decide(partner, "export", tenant_resource("billing_record"), {"purposeOfUse": "research"})
	d == {"allow": false, "reasons": ["deny.default"]}
}

test_clinical_export_denied_for_everyone if {
	d := decide(partner, "export", chart("clinical_note"), {"purposeOfUse": "payment"})
	d == {"allow": false, "reasons": ["deny.clinical_export"]}
}

# --- default -----------------------------------------------------------------------------------

test_no_roles_is_default_deny if {
	denied({"sub": "n-ffff"}, "read", chart("patient_record"), ["deny.default"])
}

test_unknown_resource_type_is_default_deny if {
	denied(clinician, "read", chart("genome_sequence"), ["deny.default"])
}
