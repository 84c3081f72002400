import * as fs from "node:fs";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { CNPG_OPERATOR_IMAGE } from "../../../charts/images";
import { CHARTS, chartFilePath } from "../../../charts/versions";
import { cnpgOperatorReplicas, cnpgOperatorWorkloads, renderCnpgOperatorValues } from "../../../components/databases/values";
import { stackPlatformConfig } from "../project/fixtures";
import { ROOT } from "../../helpers/synth";

const dev = stackPlatformConfig("dev");
const fsn1 = stackPlatformConfig("fsn1");
const rendered = (stack: string) => JSON.parse(fs.readFileSync(`${ROOT}/charts/rendered/${stack}/cnpg.json`, "utf8"));

describe("CloudNativePG operator", () => {
    it("runs the operator image the chart pins (its appVersion), on the servers, two replicas outside dev", () => {
        const values = renderCnpgOperatorValues(fsn1) as Record<string, any>;
        expect(values.image).toEqual({ repository: CNPG_OPERATOR_IMAGE.repository, tag: CNPG_OPERATOR_IMAGE.tag });
        expect(values.nodeSelector).toEqual({ "node-role.kubernetes.io/control-plane": "true" });
        expect(cnpgOperatorReplicas(dev)).toBe(1);
        expect(cnpgOperatorReplicas(fsn1)).toBe(2);
        // What real Helm rendered at the pinned tag (charts/rendered, tools/render-charts.ts).
        const facts = rendered("fsn1");
        expect(facts.version).toBe(CHARTS.cloudnativePg.version);
        expect(facts.images).toEqual([`${CNPG_OPERATOR_IMAGE.repository}:${CNPG_OPERATOR_IMAGE.tag}`]);
        expect(facts.workloads[0]).toMatchObject({ name: cnpgOperatorWorkloads(fsn1)[0]!.workload, replicas: 2 });
        expect(Object.keys(cnpgOperatorWorkloads(fsn1)[0]!.containers)).toEqual(facts.workloads[0].containers.map((c: { name: string }) => c.name));
    });

    it("keeps the admission webhooks failing closed: they refuse a storage shrink and invalid Clusters at up", () => {
        // internal/webhook/v1/cluster_webhook.go@v1.30.0 (validateStorageChange): "can't shrink existing storage".
        // With failurePolicy Fail the API server refuses the update when the webhook says no or cannot answer.
        const values = renderCnpgOperatorValues(fsn1) as Record<string, any>;
        expect(values.webhook).toMatchObject({ mutating: { create: true, failurePolicy: "Fail" }, validating: { create: true, failurePolicy: "Fail" } });
        expect(rendered("fsn1").kinds).toMatchObject({ ValidatingWebhookConfiguration: 1, MutatingWebhookConfiguration: 1 });
    });

    it("gets its CRDs from chart templates (upgraded by Helm with the release), none from a crds/ folder", () => {
        for (const stack of ["dev", "fsn1", "hel1"]) {
            const facts = rendered(stack);
            expect(facts.crdsDirectoryCrds).toEqual([]);
            expect(facts.kinds.CustomResourceDefinition).toBeGreaterThanOrEqual(2);
        }
        expect((renderCnpgOperatorValues(dev) as Record<string, any>).crds).toEqual({ create: true });
    });

    it("commits the Cluster and ScheduledBackup CRDs of the operator version the chart installs, with their source", () => {
        for (const file of ["crd-clusters.yaml", "crd-scheduledbackups.yaml"]) {
            const text = fs.readFileSync(chartFilePath(`cloudnative-pg/${file}`), "utf8");
            expect(text).toContain(`CloudNativePG v${CNPG_OPERATOR_IMAGE.tag}`);
            expect(text).toMatch(/github\.com\/cloudnative-pg\/cloudnative-pg@v1\.30\.0 \(commit [0-9a-f]{40}\)/);
            const crd = yaml.load(text) as { spec: { group: string; versions: Array<{ name: string; served: boolean }> } };
            expect(crd.spec.group).toBe("postgresql.cnpg.io");
            expect(crd.spec.versions.filter((v) => v.served).map((v) => v.name)).toEqual(["v1"]);
        }
    });
});
