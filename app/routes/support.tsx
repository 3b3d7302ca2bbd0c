import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireRole } from "~/lib/auth.server";

// Support agents, staff and admins; everyone else is stopped here and again in each child.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "support");
  return null;
}

export default function SupportLayout() {
  return (
    <div className="console">
      <Outlet />
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
