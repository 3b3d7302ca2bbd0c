// An audit entry's JSON details as short "key: value" lines, readable in a narrow column.
function describe(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.map(describe).join(", ");
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${key}=${describe(inner)}`)
      .join(", ");
  }
  return String(value);
}

export function AuditDetails({ details }: { details: string }) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return <span className="details-cell">{details}</span>;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return <span className="details-cell">{describe(parsed)}</span>;
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) return null;
  return (
    <dl className="audit-details">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{describe(value)}</dd>
        </div>
      ))}
    </dl>
  );
}
