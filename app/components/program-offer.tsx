// What the program gives, from the live policy: shown on the landing page and on a new developer's dashboard.
import { useTranslation } from "react-i18next";
import type { ProgramOffer } from "~/domain/program-offer";
import { useFormats } from "./claim-parts";

export function ProgramOfferPanel({ offer, provider, headingLevel = 2 }: { offer: ProgramOffer; provider: string; headingLevel?: 2 | 3 }) {
  const { t } = useTranslation();
  const f = useFormats();
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const Sub = headingLevel === 2 ? "h3" : "h4";
  const { example } = offer;
  return (
    <section className="panel program-offer" aria-labelledby="program-offer-title" data-testid="program-offer">
      <Heading id="program-offer-title">{t("offer.title", { provider })}</Heading>
      <p data-testid="offer-formula">
        {t("offer.formula", { percent: offer.multiplierPercent, months: offer.averageMonths, start: offer.window.start, end: offer.window.end })}{" "}
        <span data-testid="offer-bounds">{t("offer.bounds", { floor: f.int(offer.floorTokens), cap: f.int(offer.capTokens) })}</span>
      </p>
      <p data-testid="offer-validity">{t("offer.validity", { days: offer.promoExpiryDays })}</p>
      <p className="muted">{t("offer.review", { limit: f.int(offer.autoApproveLimitTokens) })}</p>
      <div className="offer-columns">
        <div>
          <Sub>{t("offer.modelsTitle", { provider })}</Sub>
          <ul className="plain-list" data-testid="offer-models">
            {offer.models.map((model) => (
              <li key={model.provider}>
                <code>{model.provider}</code> <span className="muted">{t("offer.modelReplaces", { models: model.replaces.join(", ") })}</span>
              </li>
            ))}
          </ul>
        </div>
        <div data-testid="offer-example">
          <Sub>{t("offer.exampleTitle")}</Sub>
          <p>{t("offer.exampleLead", { months: example.months.length })}</p>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("offer.exampleMonth")}</th>
                <th scope="col" className="numeric">
                  {t("offer.exampleTokens")}
                </th>
              </tr>
            </thead>
            <tbody>
              {example.months.map((month) => (
                <tr key={month.month}>
                  <td>{month.month}</td>
                  <td className="numeric">{f.int(month.totalTokens)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            {t("offer.exampleAverage", { average: f.int(example.averageMonthlyTokens), percent: offer.multiplierPercent, raw: f.int(example.rawOfferTokens) })}
            {example.clamp === "floor" ? <> {t("offer.exampleFloor", { floor: f.int(offer.floorTokens) })}</> : null}
            {example.clamp === "cap" ? <> {t("offer.exampleCap", { cap: f.int(offer.capTokens) })}</> : null}
          </p>
          <p className="claim-offer" data-testid="offer-example-result">
            {t("offer.exampleResult", { tokens: f.int(example.offerTokens), days: offer.promoExpiryDays })}{" "}
            <span className="muted">{example.grantedAtOnce ? t("offer.exampleAtOnce") : t("offer.exampleReviewed")}</span>
          </p>
        </div>
      </div>
    </section>
  );
}
