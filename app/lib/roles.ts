import type { Role } from "./db-schema";

export const ROLES: readonly Role[] = ["developer", "support", "staff", "admin"] as const;

// Each role can do all that the roles before it can: support < staff < admin.
const RANK: Record<Role, number> = { developer: 0, support: 1, staff: 2, admin: 3 };

export function hasRole(actual: Role, required: Role): boolean {
  if (required === "developer") return true;
  return RANK[actual] >= RANK[required];
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Where each role lands after log-in when nothing asked for another page: its own work, not the developer onboarding. */
const HOME: Record<Role, string> = { developer: "/account", support: "/support", staff: "/staff/claims", admin: "/admin" };

export function homePathFor(role: Role): string {
  return HOME[role];
}
