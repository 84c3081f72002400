import { describe, expect, it } from "vitest";
import { readinessEdges } from "../../../tools/offline/readiness";
import { renderStartScript } from "../../../components/cluster/k3s-join";
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

    it("weights a volume user's wait with the frozen attach-mount-start figure, a Service client's with none", () => {
        const loki = release("loki", "loki", "monitoring", { loki: { storage: { s3: { endpoint: "http://minio.minio.svc.cluster.local:9000" } } } });
        // 35 s and 0 s written out here, not read from the model: the frozen figure of wait:volume-user (issue 16).
        expect(readinessEdges([longhorn, standard, minio, loki]).map((e) => [e.consumer.split("::").pop(), e.seconds])).toEqual([
            ["minio", 35],
            ["loki", 0],
        ]);
    });

    it("makes a Job that waits for its Services itself ready after the release serving them, plus the frozen poll figure; a plain Job gets no wait", () => {
        const harbor = release("harbor", "harbor", "registry", {});
        const configurator = (name: string, annotations: Record<string, string>) =>
            resource(name, "kubernetes:batch/v1:Job", {
                apiVersion: "batch/v1",
                kind: "Job",
                metadata: { name, namespace: "registry", annotations },
                spec: { template: { spec: { containers: [{ name: "configure", env: [{ name: "HARBOR_API", value: "http://harbor.registry.svc.cluster.local/api/v2.0" }] }] } } },
            });
        // 15 s written out here, not read from the model: the frozen figure of wait:service-poll.
        expect(readinessEdges([harbor, configurator("polling", { "platform/waits-for-services": "true" }), configurator("plain", {})]).map((e) => [e.consumer.split("::").pop(), e.provider.split("::").pop(), e.need, e.seconds])).toEqual([
            ["polling", "harbor", "service:registry/harbor", 15],
        ]);
    });

    it("finds the release behind a polled Service named after it (`<release>-<component>`), for a polling Job only", () => {
        const stack = release("kube-prometheus-stack", "kube-prometheus-stack", "monitoring", {});
        const grafanaApi = [{ name: "GRAFANA_API", value: "http://kube-prometheus-stack-grafana.monitoring.svc.cluster.local/api" }];
        const job = resource("orgs", "kubernetes:batch/v1:Job", {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: "orgs", namespace: "tools", annotations: { "platform/waits-for-services": "true" } },
            spec: { template: { spec: { containers: [{ name: "configure", env: grafanaApi }] } } },
        });
        // A long-running client is held only by a Service of the exact release name: this one gets no wait.
        const client = resource("client", "kubernetes:apps/v1:Deployment", {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "client", namespace: "tools" },
            spec: { template: { spec: { containers: [{ name: "c", env: grafanaApi }] } } },
        });
        expect(readinessEdges([stack, job, client]).map((e) => [e.consumer.split("::").pop(), e.provider.split("::").pop(), e.need, e.seconds])).toEqual([
            ["orgs", "kube-prometheus-stack", "service:monitoring/kube-prometheus-stack-grafana", 15],
        ]);
    });

    it("makes an agent started beside its servers ready after the bootstrapping server's start, plus the frozen join figure", () => {
        const command = (name: string, create: string, dependencies: string[] = []) => ({ ...resource(name, "command:remote:Command", { create }), dependencies: dependencies.map(urn) });
        const pinned = { caHash: "a".repeat(64) };
        const caInstall = command("k3s-server-ca-install", "#!/usr/bin/env bash\n# Install the platform's k3s server CA\n");
        const server0 = command("hel1-server-0-k3s-start", renderStartScript("hel1-server-0", "server"), ["k3s-server-ca-install"]);
        const server1 = command("hel1-server-1-k3s-start", renderStartScript("hel1-server-1", "server", undefined, pinned), ["hel1-server-0-k3s-start"]);
        const agent = command("hel1-run-0-k3s-start", renderStartScript("hel1-run-0", "agent", undefined, pinned));
        const other = command("hel1-run-0-labels", "kubectl label node hel1-run-0 x=y", ["hel1-run-0-k3s-start"]);
        const edges = readinessEdges([caInstall, server0, server1, agent, other]);
        // 20 s written out here: the frozen figure of wait:k3s-agent-join. The joining server waits by dependsOn.
        expect(edges.map((e) => [e.consumer.split("::").pop(), e.provider.split("::").pop(), e.need, e.seconds])).toEqual([
            ["hel1-run-0-k3s-start", "hel1-server-0-k3s-start", "k3s-server:hel1-server-0-k3s-start", 20],
        ]);
    });
});
