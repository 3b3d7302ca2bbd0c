// Every translation, one module per area. A new area adds a file in en/ and zh/ and a line here.
import { account as enAccount } from "./en/account";
import { admin as enAdmin } from "./en/admin";
import { audit as enAudit } from "./en/audit";
import { support as enSupport } from "./en/support";
import { auth as enAuth } from "./en/auth";
import { claims as enClaims } from "./en/claims";
import { review as enReview } from "./en/review";
import { billing as enBilling } from "./en/billing";
import { common as enCommon } from "./en/common";
import { credit as enCredit } from "./en/credit";
import { errors as enErrors } from "./en/errors";
import { evidence as enEvidence } from "./en/evidence";
import { landing as enLanding } from "./en/landing";
import { mail as enMail } from "./en/mail";
import { outbox as enOutbox } from "./en/outbox";
import { keys as enKeys } from "./en/keys";
import { snippets as enSnippets } from "./en/snippets";
import { gatewayDocs as enGatewayDocs } from "./en/gatewayDocs";
import { twoFactor as enTwoFactor } from "./en/twoFactor";
import { sessions as enSessions } from "./en/sessions";
import { offer as enOffer } from "./en/offer";
import { dashboard as enDashboard } from "./en/dashboard";
import { help as enHelp } from "./en/help";
import { usage as enUsage } from "./en/usage";
import { alerts as enAlerts } from "./en/alerts";
import { keyLimits as enKeyLimits } from "./en/keyLimits";
import { codes as enCodes } from "./en/codes";
import { organization as enOrganization } from "./en/organization";
import { account as zhAccount } from "./zh/account";
import { admin as zhAdmin } from "./zh/admin";
import { audit as zhAudit } from "./zh/audit";
import { support as zhSupport } from "./zh/support";
import { auth as zhAuth } from "./zh/auth";
import { claims as zhClaims } from "./zh/claims";
import { review as zhReview } from "./zh/review";
import { billing as zhBilling } from "./zh/billing";
import { common as zhCommon } from "./zh/common";
import { credit as zhCredit } from "./zh/credit";
import { errors as zhErrors } from "./zh/errors";
import { evidence as zhEvidence } from "./zh/evidence";
import { landing as zhLanding } from "./zh/landing";
import { mail as zhMail } from "./zh/mail";
import { outbox as zhOutbox } from "./zh/outbox";
import { keys as zhKeys } from "./zh/keys";
import { snippets as zhSnippets } from "./zh/snippets";
import { gatewayDocs as zhGatewayDocs } from "./zh/gatewayDocs";
import { twoFactor as zhTwoFactor } from "./zh/twoFactor";
import { sessions as zhSessions } from "./zh/sessions";
import { offer as zhOffer } from "./zh/offer";
import { dashboard as zhDashboard } from "./zh/dashboard";
import { help as zhHelp } from "./zh/help";
import { usage as zhUsage } from "./zh/usage";
import { alerts as zhAlerts } from "./zh/alerts";
import { keyLimits as zhKeyLimits } from "./zh/keyLimits";
import { codes as zhCodes } from "./zh/codes";
import { organization as zhOrganization } from "./zh/organization";

export const en = {
  common: enCommon,
  landing: enLanding,
  auth: enAuth,
  account: enAccount,
  errors: enErrors,
  mail: enMail,
  outbox: enOutbox,
  support: enSupport,
  admin: enAdmin,
  audit: enAudit,
  keys: enKeys,
  snippets: enSnippets,
  gatewayDocs: enGatewayDocs,
  evidence: enEvidence,
  claims: enClaims,
  review: enReview,
  credit: enCredit,
  billing: enBilling,
  twoFactor: enTwoFactor,
  sessions: enSessions,
  offer: enOffer,
  dashboard: enDashboard,
  help: enHelp,
  usage: enUsage,
  alerts: enAlerts,
  keyLimits: enKeyLimits,
  codes: enCodes,
  organization: enOrganization,
};

export const zh = {
  common: zhCommon,
  landing: zhLanding,
  auth: zhAuth,
  account: zhAccount,
  errors: zhErrors,
  mail: zhMail,
  outbox: zhOutbox,
  support: zhSupport,
  admin: zhAdmin,
  audit: zhAudit,
  keys: zhKeys,
  snippets: zhSnippets,
  gatewayDocs: zhGatewayDocs,
  evidence: zhEvidence,
  claims: zhClaims,
  review: zhReview,
  credit: zhCredit,
  billing: zhBilling,
  twoFactor: zhTwoFactor,
  sessions: zhSessions,
  offer: zhOffer,
  dashboard: zhDashboard,
  help: zhHelp,
  usage: zhUsage,
  alerts: zhAlerts,
  keyLimits: zhKeyLimits,
  codes: zhCodes,
  organization: zhOrganization,
};

