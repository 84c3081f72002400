import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { baseValues, baseValuesPath, CHARTS, mergeValues, releaseArgs, type ChartKey } from "../../charts/versions";
import { FLOATING_IP_FAILOVER_IMAGE, MINIO_IMAGES } from "../../charts/images";
import { resourceBlocksIn } from "../../charts/resources";
import { nodeCountsOf, platformOverhead } from "../../tools/offline/overhead";
import type { PlannedResource } from "../../tools/offline/plan-types";
import { readPlan } from "../helpers/plans";
import { GIB } from "../../lib/quantity";
import { renderMetallbValues, metallbSizing, metallbWorkloads } from "../../components/metallb/values";
import { renderTraefikValues, traefikSizing } from "../../components/traefik/values";
import { renderCertManagerValues, certManagerSizing } from "../../components/cert-manager/values";
import { renderLonghornValues, longhornSizing, longhornWorkloads } from "../../components/longhorn/values";
import { renderMinioValues, minioSizing } from "../../components/minio/values";
import { observabilitySizing, observabilityWorkloads, renderAlloyValues, renderKubePrometheusStackValues, renderLokiValues } from "../../components/observability/values";
import { argocdSizing, renderArgocdValues } from "../../components/argocd/values";
import { kubeletCsrApproverSizing, renderKubeletCsrApproverValues } from "../../components/kubelet-csr-approver/values";
import { cnpgOperatorSizing, renderCnpgOperatorValues } from "../../components/databases/values";
import { renderVeleroValues, veleroSizing } from "../../components/backups/values";
import { planNodes } from "../../components/nodes/node-plan";
import { shippedConfig } from "./fixtures";

const keys = Object.keys(CHARTS) as ChartKey[];

describe("chart pin table", () => {
    it("pins every chart to one exact version with an https repository and records where its values were checked", () => {
        for (const key of keys) {
            const ref = CHARTS[key];
            expect(ref.version, key).toMatch(/^v?\d+\.\d+\.\d+$/);
            expect(ref.repo, key).toMatch(/^https:\/\//);
            expect(ref.source.length, key).toBeGreaterThan(10);
        }
        expect(Object.fromEntries(keys.map((k) => [k, CHARTS[k].version]))).toEqual({
            metallb: "0.16.1",
            traefik: "41.3.0",
            certManager: "v1.21.1",
            certManagerWebhookHetzner: "0.9.0",
            longhorn: "1.12.1",
            minio: "5.4.0",
            prometheusOperatorCrds: "31.0.1",
            kubePrometheusStack: "88.5.3",
            loki: "18.11.0",
            alloy: "1.11.1",
            argocd: "10.1.1",
            argoRollouts: "2.41.0",
            kured: "6.1.0",
            kubeletCsrApprover: "1.2.14",
            cloudnativePg: "0.29.0",
            velero: "12.1.0",
            harbor: "1.19.1",
            psmdbOperator: "1.22.0",
            redisOperator: "0.26.0",
            pxcOperator: "1.19.0",
        });
    });

    it("has a parseable base values file beside every pin", () => {
        for (const key of keys) {
            expect(fs.existsSync(baseValuesPath(key)), key).toBe(true);
            expect(typeof baseValues(key), key).toBe("object");
        }
    });

    it("passes chart, version and repository to the Release from the table, waiting and rolling back on failure", () => {
        const args = releaseArgs("longhorn", { name: "longhorn", namespace: "longhorn-system", values: {} });
        expect(args).toMatchObject({ chart: "longhorn", version: "1.12.1", repositoryOpts: { repo: "https://charts.longhorn.io" }, atomic: true, createNamespace: false });
    });

    it("merges values like Helm: maps deep, lists and scalars replaced, inputs untouched", () => {
        const base = { a: { b: 1, c: [1, 2] }, d: "x" };
        const merged = mergeValues(base, { a: { c: [3] }, e: true }, { a: { b: 2 } });
        expect(merged).toEqual({ a: { b: 2, c: [3] }, d: "x", e: true });
        expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: "x" });
    });

    it("pins images outside charts by immutable tags", () => {
        expect(FLOATING_IP_FAILOVER_IMAGE).toMatch(/^docker\.io\/alpine\/k8s:\d+\.\d+\.\d+$/);
        expect(MINIO_IMAGES.server.tag).toMatch(/^RELEASE\.\d{4}-\d{2}-\d{2}T/);
        expect(MINIO_IMAGES.client.tag).toMatch(/^RELEASE\.\d{4}-\d{2}-\d{2}T/);
    });
});

describe("sizing", () => {
    const dev = shippedConfig("dev");

    // One overhead model: tools/offline/overhead.ts over the planned resources, as `npm run plan` prints it.
    const overheadOf = (stack: "dev" | "fsn1") => platformOverhead(readPlan(stack).resources as unknown as PlannedResource[], nodeCountsOf(shippedConfig(stack), stack));

    // The registry (Harbor: core, jobservice, registry, database, Redis, Trivy, ~1.9 GiB of requests) runs on
    // every stack since builds arrived, and the MySQL (Percona XtraDB Cluster) and Redis operators (128 MiB each)
    // since the databases work; the rest of the platform stays within its former 4 GiB.
    it("fits the dev stack's platform into 5.75 GiB of memory requests", () => {
        const overhead = overheadOf("dev");
        expect(overhead.requests.memory).toBeGreaterThan(2 * GIB);
        expect(overhead.requests.memory).toBeLessThanOrEqual(5.75 * GIB);
        expect(overhead.unparsed).toEqual([]);
    });

    it("sizes production stacks larger than dev and counts DaemonSets per node they run on", () => {
        expect(overheadOf("fsn1").requests.memory).toBeGreaterThan(overheadOf("dev").requests.memory);
        const fsn1 = shippedConfig("fsn1");
        expect(metallbWorkloads(fsn1).find((w) => w.workload === "metallb-speaker")!.pods).toBe(2); // fsn1 has two edge nodes
        expect(observabilityWorkloads(fsn1).find((w) => w.workload === "node-exporter")!.pods).toBe(3 + 3 + 1 + 2);
        expect(longhornWorkloads(fsn1).find((w) => w.workload === "longhorn-manager")!.pods).toBe(3); // the three untainted bare-metal run nodes
    });

    it("derives the report from the very resources blocks the values carry", () => {
        const hash = "$2a$10$0123456789012345678901234567890123456789012345678901";
        const blocksOf = (values: unknown) => [...resourceBlocksIn(values).values()];
        const expectIn = (values: unknown, blocks: object[], what: string) => {
            const found = blocksOf(values);
            for (const block of blocks) {
                expect(found, what).toContainEqual(block);
            }
        };
        expectIn(renderMetallbValues(dev), Object.values(metallbSizing(dev)), "metallb");
        expectIn(renderTraefikValues(dev, ["198.51.100.7"]), [traefikSizing(dev)], "traefik");
        const cm = certManagerSizing(dev);
        expectIn(renderCertManagerValues(dev), [cm.controller, cm.webhook, cm.cainjector, cm.startupapicheck], "cert-manager");
        expectIn(renderLonghornValues(dev), [longhornSizing(dev).manager], "longhorn");
        expectIn(renderMinioValues(dev), [minioSizing(dev).server, minioSizing(dev).job], "minio");
        const o = observabilitySizing(dev);
        expectIn(renderKubePrometheusStackValues(dev), [o.prometheus, o.alertmanager, o.operator, o.grafana, o.grafanaSidecar, o.kubeStateMetrics, o.nodeExporter, o.configReloader], "kps");
        expectIn(renderLokiValues(dev), [o.loki], "loki");
        expectIn(renderAlloyValues(dev, "dev", []), [o.alloy, o.alloyReloader], "alloy");
        const a = argocdSizing(dev);
        expectIn(renderArgocdValues(dev, hash), [a.controller, a.server, a.repoServer, a.redis, a.applicationSet], "argocd");
        expectIn(renderKubeletCsrApproverValues(dev, planNodes(dev, "dev")), [kubeletCsrApproverSizing()], "kubelet-csr-approver");
        expectIn(renderCnpgOperatorValues(dev), [cnpgOperatorSizing()], "cloudnative-pg");
        expectIn(renderVeleroValues(dev), Object.values(veleroSizing(dev)), "velero");
    });
});
