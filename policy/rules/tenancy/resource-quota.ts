import type { StackValidationPolicy } from "@pulumi/policy";
import { DATABASE_OBJECT_QUOTA } from "../../../lib/conventions";
import { configSchemaFor } from "../../lib/config";
import { K8S_TYPES, specOf } from "../../lib/kubernetes";
import { resourcesInNamespace } from "../../lib/namespaces";
import { forTenantNamespaces } from "../../lib/rule-helpers";
import { asRecord, whenKnown } from "../../lib/values";

/** Compute keys a tenant quota must bound. */
export const QUOTA_COMPUTE_KEYS: readonly string[] = ["requests.cpu", "requests.memory", "limits.memory"];
/** Object counts a tenant quota must bound (`count/<key>` accepted as well). */
export const QUOTA_OBJECT_KEYS: readonly string[] = ["pods", "services"];
/** Keys a tenant quota must set to zero: tenants never get node ports or load balancers. */
export const QUOTA_ZERO_KEYS: readonly string[] = ["services.loadbalancers", "services.nodeports"];

/** Whether a quota value is a count of at most `limit` (a plain integer, as Kubernetes reads object counts). */
const atMost = (value: unknown, limit: number) => {
    const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
    return /^[0-9]+$/.test(text) && Number(text) <= limit;
};

/** The values a quota key was found with, for a message. */
const found = (values: unknown[] | undefined) => (values ? values.map((v) => JSON.stringify(v)).join(", ") : "none");

const isZero = (value: unknown) => value === 0 || (typeof value === "string" && /^0+(\.0+)?[a-zA-Z]*$/.test(value.trim()));

/**
 * Each tenant namespace has an unscoped ResourceQuota bounding compute (CPU/memory requests, memory limits)
 * and object counts, with `services.loadbalancers` and `services.nodeports` at "0" and the database CRs a
 * deployer may write within the platform's limits ({@link DATABASE_OBJECT_QUOTA}: ScheduledBackups, restores). Scoped quotas
 * (`scopes`/`scopeSelector`) only bound some pods, so they do not count.
 */
export const tenancyResourceQuota: StackValidationPolicy = {
    name: "tenancy-resource-quota",
    description: "Every tenant namespace must have a ResourceQuota for compute and object counts, with no load balancers or node ports and the database CRs a deployer writes (ScheduledBackups, restores) within the platform's limits.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces"),
    validateStack: forTenantNamespaces(({ resources, tenants }, report) => {
        for (const tenant of tenants) {
            const quotas = resourcesInNamespace(resources, K8S_TYPES.resourceQuota, tenant.name)
                .map((q) => whenKnown(() => specOf(q.props), undefined))
                .filter((spec): spec is Record<string, unknown> => spec !== undefined)
                .filter((spec) => spec.scopes === undefined && spec.scopeSelector === undefined);
            if (quotas.length === 0) {
                report(`tenant namespace "${tenant.name}" has no (unscoped) ResourceQuota`, tenant.resource.urn);
                continue;
            }
            const hard: Record<string, unknown[]> = {};
            for (const spec of quotas) {
                for (const [key, value] of Object.entries(asRecord(spec.hard) ?? {})) {
                    (hard[key] ??= []).push(value);
                }
            }
            const missing = [
                ...QUOTA_COMPUTE_KEYS.filter((key) => hard[key] === undefined),
                ...QUOTA_OBJECT_KEYS.filter((key) => hard[key] === undefined && hard[`count/${key}`] === undefined),
            ];
            if (missing.length > 0) {
                report(`ResourceQuota of tenant namespace "${tenant.name}" does not bound ${missing.join(", ")}`, tenant.resource.urn);
            }
            for (const [key, limit] of Object.entries(DATABASE_OBJECT_QUOTA)) {
                const values = hard[key];
                if (!values?.some((value) => atMost(value, limit))) {
                    report(`ResourceQuota of tenant namespace "${tenant.name}" must bound ${key} to at most ${limit} (found ${found(values)})`, tenant.resource.urn);
                }
            }
            for (const key of QUOTA_ZERO_KEYS) {
                const values = hard[key];
                if (!values?.some(isZero)) {
                    report(`ResourceQuota of tenant namespace "${tenant.name}" must set ${key} to "0" (found ${found(values)})`, tenant.resource.urn);
                }
            }
        }
    }),
};
