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
});
