import { describe, expect, it } from "vitest";
import { renderAlloyValues, renderLokiValues } from "../../components/observability/values";
import { messagesOf, planned } from "../helpers/policy-fixtures";
import { shippedConfig } from "../charts/fixtures";

/** tenancy-log-tenants: the Loki and Alloy releases the platform renders, and what breaks project isolation. */

const dev = shippedConfig("dev");
const release = (chart: string, values: unknown) => planned("kubernetes:helm.sh/v3:Release", chart, { chart, values });
const lokiValues = () => structuredClone(renderLokiValues(dev)) as any;
const alloyValues = () => structuredClone(renderAlloyValues(dev, "dev", ["shop"])) as any;

describe("tenancy-log-tenants", () => {
    it("admits the platform's Loki and Alloy releases", () => {
        expect(messagesOf("tenancy-log-tenants", [release("loki", lokiValues()), release("alloy", alloyValues())])).toEqual([]);
    });

    it("refuses a single-tenant Loki and an Alloy pipeline that sets no tenant", () => {
        const loki = lokiValues();
        loki.loki.auth_enabled = false;
        expect(messagesOf("tenancy-log-tenants", [release("loki", loki)])).toEqual([expect.stringMatching(/without auth_enabled: true/)]);
        delete loki.loki.auth_enabled;
        expect(messagesOf("tenancy-log-tenants", [release("loki", loki)])).toHaveLength(1);
        const alloy = alloyValues();
        alloy.alloy.configMap.content = alloy.alloy.configMap.content.replace(/ {2}stage\.tenant \{[^}]*\}\n/, "");
        expect(alloy.alloy.configMap.content).toContain("loki.write");
        expect(messagesOf("tenancy-log-tenants", [release("alloy", alloy)])).toEqual([expect.stringMatching(/without a stage\.tenant/)]);
    });

    it("reads only Helm Releases, the Alloy rule only in Alloy's release, and any spacing before the stage's brace", () => {
        const withoutTenant = alloyValues();
        withoutTenant.alloy.configMap.content = withoutTenant.alloy.configMap.content.replace(/ {2}stage\.tenant \{[^}]*\}\n/, "");
        // Another kind with a chart field is no Release the pack can judge.
        expect(messagesOf("tenancy-log-tenants", [planned("kubernetes:core/v1:ConfigMap", "loki", { chart: "loki", values: {} })])).toEqual([]);
        // An Alloy release without a pipeline, and a Loki release whose values carry an Alloy-shaped pipeline.
        expect(messagesOf("tenancy-log-tenants", [release("alloy", {}), release("loki", { ...lokiValues(), alloy: withoutTenant.alloy })])).toEqual([]);
        // A pipeline that pushes nowhere needs no tenant.
        expect(messagesOf("tenancy-log-tenants", [release("alloy", { alloy: { configMap: { content: 'local.file_match "pods" { path_targets = [] }' } } })])).toEqual([]);
        const unspaced = alloyValues();
        unspaced.alloy.configMap.content = unspaced.alloy.configMap.content.replace(/stage\.tenant \{/, "stage.tenant{");
        expect(unspaced.alloy.configMap.content).toContain("stage.tenant{");
        expect(messagesOf("tenancy-log-tenants", [release("alloy", unspaced)])).toEqual([]);
    });
});
