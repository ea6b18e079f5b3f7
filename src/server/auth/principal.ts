import { API_ROLES, type ApiRole } from "../../contracts/index.js";
import { readPath } from "../../identity/claims.js";

/** Who is calling the review API, as its verified token says. */
export interface ApiPrincipal {
  readonly subject: string;
  readonly roles: readonly ApiRole[];
}

declare global {
  namespace Express {
    interface Locals {
      /** Set by `authenticate` only; absent on routes that are not guarded. */
      principal?: ApiPrincipal;
    }
  }
}

/**
 * The API roles of a verified payload. Identity providers put every role of a person in one claim,
 * so names that are not API roles are expected there and ignored rather than refused.
 */
export function apiRolesOf(payload: unknown, rolesClaim: string): ApiRole[] {
  const raw = readPath(payload, rolesClaim);
  const names = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : [];
  return API_ROLES.filter((role) => names.includes(role));
}

/** `admin` may do everything, so it passes every role check. */
export function holdsAnyRole(principal: ApiPrincipal, roles: readonly ApiRole[]): boolean {
  return principal.roles.some((held) => held === "admin" || roles.includes(held));
}
