// Every migration, in order. Listed statically so the bundled server and the CLI run the same set.
import type { Migration } from "kysely";
import * as m0001 from "./0001_foundation";
import * as m0002 from "./0002_evidence";
import * as m0003 from "./0003_ledger";
import * as m0004 from "./0004_claims";
import * as m0005 from "./0005_api_keys";
import * as m0006 from "./0006_billing";
import * as m0007 from "./0007_support";
import * as m0008 from "./0008_evidence_shapes";
import * as m0009 from "./0009_evidence_similarity";
import * as m0011 from "./0011_credit_adjustments";
import * as m0012 from "./0012_auth_hardening";
import * as m0013 from "./0013_two_factor";
import * as m0014 from "./0014_job_leases";
import * as m0015 from "./0015_passkeys";
import * as m0016 from "./0016_help";
import * as m0017 from "./0017_usage_records";
import * as m0018 from "./0018_key_limits_alerts";
import * as m0019 from "./0019_ledger_debit_batch";
import * as m0020 from "./0020_redemption_codes";
import * as m0021 from "./0021_proxy_usage_outbox";
import * as m0022 from "./0022_organizations";
import * as m0023 from "./0023_ledger_debit_batch_set";
import * as m0024 from "./0024_ledger_lean_writes";
import * as m0025 from "./0025_ledger_debit_batch_lean";
import * as m0026 from "./0026_key_counters_in_place";
import * as m0027 from "./0027_ledger_usage_entries_unkeyed";

export const migrations: Record<string, Migration> = {
  "0001_foundation": m0001,
  "0002_evidence": m0002,
  "0003_ledger": m0003,
  "0004_claims": m0004,
  "0005_api_keys": m0005,
  "0006_billing": m0006,
  "0007_support": m0007,
  "0008_evidence_shapes": m0008,
  "0009_evidence_similarity": m0009,
  "0011_credit_adjustments": m0011,
  "0012_auth_hardening": m0012,
  "0013_two_factor": m0013,
  "0014_job_leases": m0014,
  "0015_passkeys": m0015,
  "0016_help": m0016,
  "0017_usage_records": m0017,
  "0018_key_limits_alerts": m0018,
  "0019_ledger_debit_batch": m0019,
  "0020_redemption_codes": m0020,
  "0021_proxy_usage_outbox": m0021,
  "0022_organizations": m0022,
  "0023_ledger_debit_batch_set": m0023,
  "0024_ledger_lean_writes": m0024,
  "0025_ledger_debit_batch_lean": m0025,
  "0026_key_counters_in_place": m0026,
  "0027_ledger_usage_entries_unkeyed": m0027,
};
