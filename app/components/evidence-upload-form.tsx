// The upload form: a plain multipart POST that works without JavaScript; with it, an XHR that
// shows upload progress and then opens the result.
import { useRef, useState, type FormEvent } from "react";
import { useNavigate } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field } from "./field";

type Phase = { name: "idle" } | { name: "uploading"; percent: number } | { name: "verifying" } | { name: "failed"; message: string };

export function EvidenceUploadForm({ initialError, maxBytes }: { initialError?: string | null; maxBytes: number }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [phase, setPhase] = useState<Phase>(initialError ? { name: "failed", message: t(initialError) } : { name: "idle" });
  const formRef = useRef<HTMLFormElement>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const file = (form.elements.namedItem("file") as HTMLInputElement | null)?.files?.[0];
    if (!file) {
      setPhase({ name: "failed", message: t("evidence.errors.noFile") });
      return;
    }
    // The server refuses it too (and stops reading at the cap); saying so now saves the upload.
    if (file.size > maxBytes) {
      setPhase({ name: "failed", message: t("evidence.reasons.too_large", { limitMb: Math.round((maxBytes / 1024 / 1024) * 10) / 10 }) });
      return;
    }
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.upload.onprogress = (progress) => {
      if (progress.lengthComputable) setPhase({ name: "uploading", percent: Math.floor((progress.loaded / progress.total) * 100) });
    };
    request.upload.onload = () => setPhase({ name: "verifying" });
    request.onload = () => {
      let body: { ok?: boolean; location?: string; formError?: string; params?: Record<string, unknown> } = {};
      try {
        body = JSON.parse(request.responseText);
      } catch {
        /* not JSON: handled below */
      }
      if (body.ok && body.location) navigate(body.location);
      else setPhase({ name: "failed", message: t(body.formError ?? "evidence.upload.failed", body.params ?? {}) });
    };
    request.onerror = () => setPhase({ name: "failed", message: t("evidence.upload.failed") });
    setPhase({ name: "uploading", percent: 0 });
    request.send(new FormData(form));
  }

  const busy = phase.name === "uploading" || phase.name === "verifying";
  return (
    <form ref={formRef} method="post" action="/account/evidence/upload" encType="multipart/form-data" onSubmit={submit} noValidate>
      {phase.name === "failed" ? (
        <div className="alert alert-error" role="alert">
          {phase.message}
        </div>
      ) : null}
      {/* The org id comes first: the server reads it before the file streams in. */}
      <Field name="orgId" label={t("evidence.upload.orgId")} hint={t("evidence.upload.orgIdHint")} autoComplete="off" spellCheck={false} placeholder="org-…" />
      <div className="field">
        <label htmlFor="evidence-file">{t("evidence.upload.file")}</label>
        <input id="evidence-file" name="file" type="file" accept=".csv,.json,.pdf,.gz,.zip,.txt,.tsv,text/csv,application/json,application/pdf,application/gzip,application/zip" required />
      </div>
      {busy ? (
        <div className="upload-progress" role="status">
          <progress max={100} value={phase.name === "uploading" ? phase.percent : undefined} aria-label={t("evidence.upload.progressLabel")} />
          <span>{phase.name === "uploading" ? t("evidence.upload.uploading", { percent: phase.percent }) : t("evidence.upload.verifying")}</span>
        </div>
      ) : null}
      <button type="submit" className="button" disabled={busy}>
        {t("evidence.upload.submit")}
      </button>
    </form>
  );
}
