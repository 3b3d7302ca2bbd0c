// Every translation, one module per area. A new area adds a file in en/ and zh/ and a line here.
import { account as enAccount } from "./en/account";
import { auth as enAuth } from "./en/auth";
import { billing as enBilling } from "./en/billing";
import { common as enCommon } from "./en/common";
import { errors as enErrors } from "./en/errors";
import { evidence as enEvidence } from "./en/evidence";
import { landing as enLanding } from "./en/landing";
import { mail as enMail } from "./en/mail";
import { outbox as enOutbox } from "./en/outbox";
import { account as zhAccount } from "./zh/account";
import { auth as zhAuth } from "./zh/auth";
import { billing as zhBilling } from "./zh/billing";
import { common as zhCommon } from "./zh/common";
import { errors as zhErrors } from "./zh/errors";
import { evidence as zhEvidence } from "./zh/evidence";
import { landing as zhLanding } from "./zh/landing";
import { mail as zhMail } from "./zh/mail";
import { outbox as zhOutbox } from "./zh/outbox";

export const en = {
  common: enCommon,
  landing: enLanding,
  auth: enAuth,
  account: enAccount,
  errors: enErrors,
  mail: enMail,
  outbox: enOutbox,
  billing: enBilling,
  evidence: enEvidence,
};

export const zh = {
  common: zhCommon,
  landing: zhLanding,
  auth: zhAuth,
  account: zhAccount,
  errors: zhErrors,
  mail: zhMail,
  outbox: zhOutbox,
  billing: zhBilling,
  evidence: zhEvidence,
};

export const resources = { en: { translation: en }, zh: { translation: zh } } as const;
