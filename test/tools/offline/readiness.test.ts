import { describe, expect, it } from "vitest";
import { readinessEdges } from "../../../tools/offline/readiness";
import type { PlannedResource } from "../../../tools/offline/plan-types";

const urn = (name: string) => `urn:pulumi:test::platform::test::${name}`;

function resource(name: string, type: string, inputs: Record<string, unknown>): PlannedResource {
    return { urn: urn(name), type, name, custom: true, inputs, secretInputs: [], additionalSecretOutputs: [], dependencies: [] };
}
const release = (name: string, chart: string, namespace: string, values: unknown, extra: Record<string, unknown> = {}) =>
    resource(name, "kubernetes:helm.sh/v3:Release", { chart, name, namespace, values, skipAwait: false, ...extra });
const storageClass = (name: string, provisioner: string) => resource(`sc-${name}`, "kubernetes:storage.k8s.io/v1:StorageClass", { metadata: { name }, provisioner });

const longhorn = release("longhorn", "longhorn", "longhorn-system", {});
const minio = release("minio", "minio", "minio", { persistence: { storageClass: "standard" } });
const standard = storageClass("standard", "driver.longhorn.io");
const pairs = (resources: PlannedResource[]) => readinessEdges(resources).map((e) => [e.consumer.split("::").pop(), e.provider.split("::").pop(), e.need]);

describe("readinessEdges", () => {
    it("makes a release with a claim of a Longhorn class ready after the Longhorn release (the CSI driver's chart)", () => {
        expect(pairs([longhorn, standard, minio])).toEqual([["minio", "longhorn", "storage-class:standard"]]);
    });

    it("makes a long-running client of a platform Service ready after the release serving it", () => {
        const loki = release("loki", "loki", "monitoring", { loki: { storage: { s3: { endpoint: "http://minio.minio.svc.cluster.local:9000" } } } });
        expect(pairs([longhorn, standard, minio, loki])).toEqual([
            ["minio", "longhorn", "storage-class:standard"],
            ["loki", "minio", "service:minio/minio"],
        ]);
    });

    it("adds no wait for a release Pulumi does not await, a class whose driver no chart runs, or a Job's Service (a create need)", () => {
        const unawaited = release("unawaited", "minio", "other", { persistence: { storageClass: "standard" } }, { skipAwait: true });
        const localPath = storageClass("local-path", "rancher.io/local-path");
        const onLocalPath = release("local", "redis", "cache", { storageClass: "local-path" });
        const job = resource("bucket-job", "kubernetes:batch/v1:Job", {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: "bucket", namespace: "tenant" },
            spec: { template: { spec: { containers: [{ name: "mc", env: [{ name: "S3", value: "http://minio.minio.svc.cluster.local:9000" }] }] } } },
        });
        expect(pairs([longhorn, standard, minio, unawaited, localPath, onLocalPath, job])).toEqual([["minio", "longhorn", "storage-class:standard"]]);
    });

    it("makes an awaited StatefulSet with a claim template ready after the CSI driver, unless Pulumi skips its await", () => {
        const statefulSet = (name: string, annotations: Record<string, string> = {}) =>
            resource(name, "kubernetes:apps/v1:StatefulSet", {
                apiVersion: "apps/v1",
                kind: "StatefulSet",
                metadata: { name, namespace: "db", annotations },
                spec: { template: { spec: { containers: [] } }, volumeClaimTemplates: [{ spec: { storageClassName: "standard" } }] },
            });
        expect(pairs([longhorn, standard, statefulSet("awaited"), statefulSet("skipped", { "pulumi.com/skipAwait": "true" })])).toEqual([
            ["awaited", "longhorn", "storage-class:standard"],
        ]);
    });
});
