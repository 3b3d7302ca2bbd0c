import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { z } from "zod";
import { setAccountLocale } from "~/domain/accounts.server";
import { getOptionalUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFields } from "~/lib/forms";
import { SUPPORTED_LOCALES } from "~/lib/i18n";
import { safeRedirect } from "~/lib/safe-redirect";
import { localeCookie } from "~/lib/locale.server";

const schema = z.object({ locale: z.enum(SUPPORTED_LOCALES), redirectTo: z.string().optional() });

export async function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = schema.safeParse(formFields(await request.formData()));
  if (!parsed.success) throw new Response("Unknown language", { status: 400 });
  const user = await getOptionalUser(request);
  if (user) await setAccountLocale(getDb(), user.id, parsed.data.locale);
  return redirect(safeRedirect(parsed.data.redirectTo, "/"), {
    headers: { "Set-Cookie": await localeCookie.serialize(parsed.data.locale) },
  });
}
