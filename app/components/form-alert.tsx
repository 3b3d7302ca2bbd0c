import { useTranslation } from "react-i18next";

export function FormAlert({ error, retryAfterSeconds }: { error?: string; retryAfterSeconds?: number }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      {t(error, { seconds: retryAfterSeconds ?? 0 })}
    </div>
  );
}

export function Notice({ children }: { children: React.ReactNode }) {
  return (
    <div className="alert alert-info" role="status">
      {children}
    </div>
  );
}
