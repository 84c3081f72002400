// Apart from the Guardrails component (guardrails.ts): the admission tests compute the same inputs without
// loading the Pulumi SDKs.
import type { PlatformConfig } from "../../lib/config/schema";
import type { AdmissionPolicyArgs } from "./admission-policies";
import { databaseBackupTarget } from "../project/postgresql";

/** The database policy's inputs from the stack config: the off-cluster backup target and the instance limit. */
export function databaseAdmission(config: PlatformConfig): Pick<AdmissionPolicyArgs, "databaseBackupTarget" | "maxDatabaseInstances"> {
    const target = databaseBackupTarget(config.backup);
    return { ...(target ? { databaseBackupTarget: target } : {}), maxDatabaseInstances: config.tenantLimits.maxDatabaseInstances };
}
