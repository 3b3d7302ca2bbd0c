import { describe, expect, it } from "vitest";
import { recordAudit } from "~/domain/audit.server";
import { requireRole, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { buildRequest, createUser, fullSessionCookie } from "./helpers";

/** A session past both log-in steps (the second step has its own tests in two-factor.test.ts). */
async function cookieFor(role: "developer" | "support" | "staff" | "admin") {
  const user = await createUser({ role });
  return { user, cookie: await fullSessionCookie(user.id) };
}

async function outcomeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}

describe("role guards", () => {
  it("deny by default: anonymous → log-in redirect, a lower role → 403, same or higher → allowed", async () => {
    const anonymous = buildRequest("/staff");
    expect(await outcomeOf(requireUser(anonymous))).toBe(302);
    const expected: Record<string, Record<string, number>> = {
      developer: { support: 403, staff: 403, admin: 403 },
      support: { support: 200, staff: 403, admin: 403 },
      staff: { support: 200, staff: 200, admin: 403 },
      admin: { support: 200, staff: 200, admin: 200 },
    };
    for (const [role, byRequired] of Object.entries(expected)) {
      const { cookie } = await cookieFor(role as "developer");
      for (const [required, status] of Object.entries(byRequired)) {
        expect(await outcomeOf(requireRole(buildRequest("/x", { cookie }), required as "staff")), `${role} → ${required}`).toBe(status);
      }
    }
  });

  it("trusts the role in the database, not anything the browser sends", async () => {
    const { user, cookie } = await cookieFor("developer");
    const request = buildRequest("/x?role=admin", { cookie, headers: { "X-Role": "admin" } });
    expect(await outcomeOf(requireRole(request, "admin"))).toBe(403);
    await getDb().updateTable("users").set({ role: "admin" }).where("id", "=", user.id).execute();
    expect(await outcomeOf(requireRole(buildRequest("/x", { cookie }), "admin"))).toBe(200);
  });
});

describe("audit log", () => {
  it("records actor, action, target and details", async () => {
    const { user } = await cookieFor("staff");
    const id = await recordAudit(getDb(), { actorId: user.id, action: "claim.approve", targetType: "claim", targetId: "clm_1", details: { tokens: 5 }, ip: "192.0.2.1" });
    const row = await getDb().selectFrom("audit_log").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ actor_id: user.id, action: "claim.approve", target_type: "claim", target_id: "clm_1", ip: "192.0.2.1" });
    expect(JSON.parse(row.details)).toEqual({ tokens: 5 });
  });
});
