// Passkey pieces of the second-factor pages. They run WebAuthn in the browser
// (@simplewebauthn/browser) against the JSON endpoints, and render nothing where the browser has
// no WebAuthn: the check runs after hydration, so the server-rendered page never shows them.
import { Form, useNavigation, useRevalidator } from "@remix-run/react";
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from "@simplewebauthn/browser";
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Field } from "./field";
import { FormAlert, Notice } from "./form-alert";
import { formatDate, type Locale } from "~/lib/i18n";

export function useWebAuthnSupport(): boolean {
  const [supported, setSupported] = useState(false);
  useEffect(() => setSupported(browserSupportsWebAuthn()), []);
  return supported;
}

type Answer<T> = { ok: true; body: T } | { ok: false; error: string; retryAfterSeconds?: number };

async function postJson<T>(path: string, body: unknown = {}): Promise<Answer<T>> {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body), credentials: "same-origin" });
  const parsed = (await response.json().catch(() => ({}))) as { error?: string; retryAfterSeconds?: number };
  if (!response.ok) return { ok: false, error: parsed.error ?? "twoFactor.passkeys.failed", retryAfterSeconds: parsed.retryAfterSeconds };
  return { ok: true, body: parsed as T };
}

/** The browser's own prompt was closed or timed out: not the server's refusal. */
function browserRefusal(error: unknown): string {
  return error instanceof Error && error.name === "NotAllowedError" ? "twoFactor.passkeys.cancelled" : "twoFactor.passkeys.failed";
}

export function PasskeyLogInButton({ redirectTo }: { redirectTo: string }) {
  const { t } = useTranslation();
  const supported = useWebAuthnSupport();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ error: string; retryAfterSeconds?: number } | null>(null);
  if (!supported) return null;

  async function signInWithPasskey() {
    setBusy(true);
    setFailure(null);
    try {
      const options = await postJson<Parameters<typeof startAuthentication>[0]["optionsJSON"]>("/login/passkey/options");
      if (!options.ok) return setFailure(options);
      let response;
      try {
        response = await startAuthentication({ optionsJSON: options.body });
      } catch (error) {
        return setFailure({ error: browserRefusal(error) });
      }
      const verified = await postJson<{ redirectTo: string }>("/login/passkey/verify", { response, redirectTo });
      if (!verified.ok) return setFailure(verified);
      window.location.assign(verified.body.redirectTo);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="passkey-login" data-testid="passkey-login">
      <FormAlert error={failure?.error} retryAfterSeconds={failure?.retryAfterSeconds} />
      <button type="button" className="button" onClick={signInWithPasskey} disabled={busy}>
        {t("twoFactor.passkeys.use")}
      </button>
      <p className="field-hint">{t("twoFactor.passkeys.or")}</p>
    </div>
  );
}

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

function AddPasskeyForm() {
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [added, setAdded] = useState(false);

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get("name") ?? "").trim();
    if (!name) return setFailure("twoFactor.errors.passkeyNameRequired");
    setBusy(true);
    setFailure(null);
    setAdded(false);
    try {
      const options = await postJson<Parameters<typeof startRegistration>[0]["optionsJSON"]>("/account/security/passkeys/options");
      if (!options.ok) return setFailure(options.error);
      let response;
      try {
        response = await startRegistration({ optionsJSON: options.body });
      } catch (error) {
        return setFailure(browserRefusal(error));
      }
      const saved = await postJson<{ passkeyId: string }>("/account/security/passkeys/verify", { name, response });
      if (!saved.ok) return setFailure(saved.error);
      form.reset();
      setAdded(true);
      revalidator.revalidate();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stacked-form" onSubmit={add} noValidate data-testid="add-passkey">
      {added ? <Notice>{t("twoFactor.passkeys.added")}</Notice> : null}
      <Field name="name" label={t("twoFactor.passkeys.nameLabel")} hint={t("twoFactor.passkeys.nameHint")} maxLength={60} required error={failure ?? undefined} autoComplete="off" />
      <button type="submit" className="button button-secondary" disabled={busy}>
        {t("twoFactor.passkeys.add")}
      </button>
    </form>
  );
}

/** The security page's passkey section: the list (with removal) and, where WebAuthn works, adding one. */
export function PasskeysSection({ passkeys, canAdd, locale, removed }: { passkeys: PasskeyView[]; canAdd: boolean; locale: Locale; removed: boolean }) {
  const { t } = useTranslation();
  const supported = useWebAuthnSupport();
  const busy = useNavigation().state === "submitting";
  if (!supported && passkeys.length === 0) return null;
  return (
    <section className="passkeys" aria-labelledby="passkeys-title" data-testid="passkeys">
      <h2 id="passkeys-title">{t("twoFactor.passkeys.title")}</h2>
      <p>{t("twoFactor.passkeys.lead")}</p>
      {removed ? <Notice>{t("twoFactor.passkeys.removed")}</Notice> : null}
      {passkeys.length === 0 ? (
        <p>{t("twoFactor.passkeys.none")}</p>
      ) : (
        <ul className="passkey-list">
          {passkeys.map((passkey) => (
            <li key={passkey.id}>
              <div>
                <strong>{passkey.name}</strong>
                <span className="passkey-meta">
                  {t("twoFactor.passkeys.createdOn", { date: formatDate(passkey.createdAt, locale) })} ·{" "}
                  {passkey.lastUsedAt ? t("twoFactor.passkeys.lastUsed", { date: formatDate(passkey.lastUsedAt, locale) }) : t("twoFactor.passkeys.neverUsed")}
                </span>
              </div>
              <Form method="post">
                <input type="hidden" name="intent" value="removePasskey" />
                <input type="hidden" name="passkeyId" value={passkey.id} />
                <button type="submit" className="link-button" disabled={busy} aria-label={t("twoFactor.passkeys.removeLabel", { name: passkey.name })}>
                  {t("twoFactor.passkeys.remove")}
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
      {!supported ? null : canAdd ? <AddPasskeyForm /> : <p className="field-hint">{t("twoFactor.passkeys.needsApp")}</p>}
    </section>
  );
}
