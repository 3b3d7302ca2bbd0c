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
