import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord, asString, at } from "../../lib/values";

/**
 * The logs pipeline keeps projects apart: a Loki release runs multi-tenant (`loki.auth_enabled: true`; with it
 * off every query reads every project's lines, whatever the Grafana organisation), and an Alloy release whose
 * pipeline pushes to Loki names each line's tenant (`stage.tenant`), else every line would land in one tenant.
 * A `helm.v3.Release` is opaque to the pack: its values are the only gate (DESIGN.md).
 */
export const tenancyLogTenants: ResourceValidationPolicy = {
    name: "tenancy-log-tenants",
    description: "Loki must run with auth_enabled (one tenant per project) and Alloy must set each line's Loki tenant.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: (args, report) => {
        if (args.type !== "kubernetes:helm.sh/v3:Release") {
            return;
        }
        const chart = asString(args.props.chart);
        const values = asRecord(args.props.values) ?? {};
        if (chart === "loki" && at(values, ["loki", "auth_enabled"]) !== true) {
            report(`Loki release runs without auth_enabled: true, so every query reads every project's logs (set loki.auth_enabled: true in charts/loki/values.yaml)`);
        }
        const pipeline = asString(at(values, ["alloy", "configMap", "content"]));
        if (chart === "alloy" && pipeline !== undefined && pipeline.includes("loki.write") && !/stage\.tenant\s*\{/.test(pipeline)) {
            report(`Alloy release pushes to Loki without a stage.tenant: its lines would not reach their project's tenant (components/observability/values.ts renderAlloyConfig)`);
        }
    },
};
