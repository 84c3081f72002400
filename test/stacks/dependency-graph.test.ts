import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderedReleases } from "../../charts/rendered-facts";
import { BUILT_IN_API_GROUPS } from "../../lib/requirements";
import { NAMESPACES } from "../../lib/conventions";
import { CHART_CRDS, chartCrdUrls } from "../../charts/crds";
import type { ChartKey } from "../../charts/versions";
import { criticalPath } from "../../tools/offline/critical-path";
import type { PlannedResource } from "../../tools/offline/plan-types";
import { readinessEdges } from "../../tools/offline/readiness";
import { GRANTS_COMPONENT_TYPE, pipelineRuntimes, regionBringUp, stagesOfRegion } from "../../tools/offline/region-bring-up";
import { DEFAULT_PARALLEL } from "../../tools/driver/args";
import { PlanGraph } from "../helpers/plan-graph";
import { shippedConfig } from "../charts/fixtures";
import { planNodes } from "../../components/nodes/node-plan";
import { RELEASE_TIMEOUT_SECONDS } from "../../charts/versions";
import { planDir, plannedTenants, readGrantsPlan, readTenantPlan, STACKS, type WrittenResource } from "../helpers/plans";

/**
 * The bring-up graph of every shipped stack, checked against facts the program does not compute: which chart
 * installs which API group (read from the charts at their pinned tags), which StorageClass each release
 * really claims (the rendered facts of charts/rendered/). Every wait that remains must be one of these needs;
 * every need must be waited for (a Project's own needs: test/components/project/project.needs.test.ts). New add-ons are checked by the same
 * rules: a chart whose CRD groups are not listed below, or a wait between releases nobody justified, fails.
 */

/**
 * API groups whose CRDs each pinned chart installs, counted from the chart sources at the pinned tag
 * (`git grep "^  group: "` in the chart directory); the counts are the CustomResourceDefinitions the rendered
 * facts list, so a chart that adds a group is noticed.
 */
const CRD_GROUPS_BY_CHART: Readonly<Record<string, Readonly<Record<string, number>>>> = {
    // longhorn/longhorn@v1.12.1:chart/templates/crds.yaml
    longhorn: { "longhorn.io": 25 },
    // metallb/metallb@metallb-chart-0.16.1:charts/metallb/charts/crds/templates/crds.yaml
    metallb: { "metallb.io": 9 },
    // cert-manager/cert-manager@v1.21.1:deploy/charts/cert-manager/templates/crd-*.yaml
    "cert-manager": { "cert-manager.io": 4, "acme.cert-manager.io": 2 },
    // argoproj/argo-helm@argo-cd-10.1.1:charts/argo-cd/templates/crds/ (ApplicationSet disabled by the values)
    "argo-cd": { "argoproj.io": 3 },
    // argoproj/argo-helm@argo-rollouts-2.41.0:charts/argo-rollouts/templates/crds/ (Rollout, AnalysisTemplate,
    // ClusterAnalysisTemplate, AnalysisRun, Experiment)
    "argo-rollouts": { "argoproj.io": 5 },
    // prometheus-community/helm-charts@prometheus-operator-crds-31.0.1:charts/prometheus-operator-crds/charts/crds/templates/
    "prometheus-operator-crds": { "monitoring.coreos.com": 10 },
    // cloudnative-pg/charts@cloudnative-pg-v0.29.0:charts/cloudnative-pg/templates/crds/crds.yaml (operator 1.30.0:
    // every CRD is in the operator's API group)
    "cloudnative-pg": { "postgresql.cnpg.io": 11 },
    // OT-CONTAINER-KIT/redis-operator@2eb86e18:charts/redis-operator/crds/crds.yaml (Redis, RedisCluster,
    // RedisReplication, RedisSentinel; under crds/, so the rendered facts list them in crdsDirectoryCrds and the
    // component applies them: the ConfigGroup's <group>_<plural>.yaml files install the group first)
    "redis-operator": { "redis.redis.opstreelabs.in": 4 },
};

/**
 * CSI drivers each pinned chart runs, read from the chart at its pinned tag (not from the program's table):
 * longhorn/longhorn@v1.12.1:chart/templates/storageclass.yaml (`provisioner: driver.longhorn.io`).
 */
const CSI_DRIVER_CHART: Readonly<Record<string, string>> = { "driver.longhorn.io": "longhorn" };

/** Pulumi's helm.v3.Release timeout when none is given (pulumi-kubernetes provider/pkg/provider/helm_release.go: 300 s). */
const HELM_RELEASE_DEFAULT_TIMEOUT_SECONDS = 300;

/** The bring-up target for the dev stack (issue 16). */
const DEV_BRING_UP_TARGET_SECONDS = 8 * 60;

/** Kinds of monitoring.coreos.com (prometheus-operator-crds-31.0.1): a chart rendering one needs those CRDs. */
const MONITORING_KINDS = new Set(["Alertmanager", "AlertmanagerConfig", "PodMonitor", "Probe", "Prometheus", "PrometheusAgent", "PrometheusRule", "ScrapeConfig", "ServiceMonitor", "ThanosRuler"]);

/**
 * Waits between Helm releases of different add-ons that no CRD, StorageClass or Service need explains, each
 * with its reason. Anything else is a wait the bring-up does not need.
 */
const JUSTIFIED_RELEASE_WAITS: Readonly<Record<string, string>> = {
    "traefik→metallb": "Helm's --wait waits for Traefik's LoadBalancer Services to get an address, which MetalLB's pool assigns",
};

const isRelease = (r: WrittenResource) => r.type === "kubernetes:helm.sh/v3:Release";
const chartOf = (r: WrittenResource) => String(r.inputs.chart ?? "").split("/").pop()!;
/** `kubernetes:<group>/<version>:<Kind>` → group ("core" is the core group). */
const groupOfType = (type: string): string | undefined => {
    const m = /^kubernetes:([^:]+)\/[^/:]+:[A-Za-z]+$/.exec(type);
    if (!m) {
        return undefined;
    }
    return m[1] === "core" ? "" : m[1];
};


describe.each(STACKS)("bring-up graph of stack %s", (stack) => {
    // The platform stack's own plan: tenant stacks run after it as a whole (the driver orders them), so the
    // waits that matter for the bring-up of the platform are inside it.
    const plan = JSON.parse(fs.readFileSync(path.join(planDir(stack), "plan.json"), "utf8")) as { resources: WrittenResource[] };
    const graph = new PlanGraph(plan.resources);
    const releases = plan.resources.filter(isRelease);
    const releaseOfChart = (chart: string) => releases.find((r) => chartOf(r) === chart);

    /** Resources after which an API group's kinds can be created. */
    const installersOf = (group: string): WrittenResource[] => {
        const viaCharts = Object.entries(CRD_GROUPS_BY_CHART)
            .filter(([, groups]) => group in groups)
            .map(([chart]) => releaseOfChart(chart))
            .filter((r): r is WrittenResource => r !== undefined);
        const viaCrds = plan.resources.filter((r) => r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" && r.inputs.spec?.group === group);
        // A chart's crds/ folder applied by its component: manifest files named <group>_<plural>.yaml, or the
        // table's files of a chart whose entry names the group (Velero's <plural>.yaml).
        const tableUrls = (Object.keys(CHART_CRDS) as ChartKey[]).filter((k) => CHART_CRDS[k]!.group === group).map((k) => JSON.stringify(chartCrdUrls(k)));
        const viaFiles = plan.resources.filter(
            (r) =>
                r.type === "kubernetes:yaml/v2:ConfigGroup" &&
                ((r.inputs.files ?? []).some((f: string) => path.basename(f).startsWith(`${group}_`)) || tableUrls.includes(JSON.stringify(r.inputs.files))),
        );
        return [...viaCharts, ...viaCrds, ...viaFiles];
    };
    const storageClass = (name: string) => plan.resources.find((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass" && r.inputs.metadata?.name === name);
    const defaultStorageClass = plan.resources.find(
        (r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass" && r.inputs.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true",
    );

    it("counts the CRD groups of each chart as the rendered facts do", () => {
        for (const facts of renderedReleases(stack)) {
            const groups = CRD_GROUPS_BY_CHART[facts.chart];
            const rendered = facts.kinds.CustomResourceDefinition ?? 0;
            if (rendered > 0) {
                expect(groups, `chart ${facts.chart} renders CRDs: list their API groups in CRD_GROUPS_BY_CHART`).toBeDefined();
                expect(Object.values(groups!).reduce((a, b) => a + b, 0), facts.chart).toBe(rendered);
            }
        }
    });

    it("every custom resource waits for what installs its API group (CRDs and their webhook)", () => {
        const problems: string[] = [];
        for (const r of plan.resources) {
            const group = groupOfType(r.type);
            if (!r.custom || group === undefined || BUILT_IN_API_GROUPS.has(group) || group === "helm.sh" || group === "yaml") {
                continue;
            }
            const installers = installersOf(group);
            if (installers.length === 0) {
                problems.push(`${r.name} (${r.type}): nothing in the plan installs ${group} (add the chart's groups to CRD_GROUPS_BY_CHART)`);
            } else if (!installers.some((i) => i.urn === r.urn || graph.waits(r.urn, i.urn))) {
                problems.push(`${r.name} (${r.type}) does not wait for ${installers.map((i) => i.name).join(" or ")}`);
            }
        }
        expect(problems).toEqual([]);
    });

    it("every release whose chart renders monitoring.coreos.com kinds waits for the Prometheus Operator CRDs", () => {
        const crds = releaseOfChart("prometheus-operator-crds")!;
        const problems = renderedReleases(stack)
            .filter((facts) => Object.keys(facts.kinds).some((k) => MONITORING_KINDS.has(k)))
            .map((facts) => releases.find((r) => r.inputs.name === facts.release && r.inputs.namespace === facts.namespace))
            .filter((r): r is WrittenResource => r !== undefined && r.urn !== crds.urn && !graph.waits(r.urn, crds.urn))
            .map((r) => r.name);
        expect(problems).toEqual([]);
    });

    it("every release waits for the StorageClass of each claim Helm renders for it (the default class when it names none)", () => {
        const problems: string[] = [];
        for (const facts of renderedReleases(stack)) {
            const release = releases.find((r) => r.inputs.name === facts.release && r.inputs.namespace === facts.namespace);
            for (const claim of release ? facts.claims : []) {
                const sc = claim.storageClassName ? storageClass(claim.storageClassName) : defaultStorageClass;
                if (!sc || !graph.waits(release!.urn, sc.urn)) {
                    problems.push(`${release!.name}: claim ${claim.name} (${claim.storageClassName ?? "default class"})`);
                }
            }
        }
        expect(problems).toEqual([]);
    });

    it("every pod template with a claim waits for its StorageClass, names a RuntimeClass only after it exists, and waits for its pool", () => {
        const problems: string[] = [];
        for (const r of plan.resources.filter((x) => /^kubernetes:(apps\/v1:(Deployment|StatefulSet|DaemonSet)|batch\/v1:Job)$/.test(x.type))) {
            const pod = r.inputs.spec?.template?.spec ?? {};
            for (const claim of r.inputs.spec?.volumeClaimTemplates ?? []) {
                const sc = storageClass(claim.spec?.storageClassName ?? "");
                if (!sc || !graph.waits(r.urn, sc.urn)) problems.push(`${r.name}: StorageClass ${claim.spec?.storageClassName}`);
            }
            if (pod.runtimeClassName) {
                const rc = plan.resources.find((x) => x.type === "kubernetes:node.k8s.io/v1:RuntimeClass" && x.inputs.metadata?.name === pod.runtimeClassName);
                if (!rc || !graph.waits(r.urn, rc.urn)) problems.push(`${r.name}: RuntimeClass ${pod.runtimeClassName}`);
            }
            const pool = pod.nodeSelector?.["platform/pool"];
            if (pool) {
                const ready = plan.resources.find((x) => x.name === `node-pools-${pool}-ready`);
                if (!ready || !graph.waits(r.urn, ready.urn)) problems.push(`${r.name}: pool ${pool} Ready`);
            }
        }
        expect(problems).toEqual([]);
    });

    it("no wait between the releases of two add-ons without a CRD, StorageClass, Service or listed reason", () => {
        const reasons: string[] = [];
        for (const r of releases) {
            const own = graph.topLevel(r);
            for (const d of releases) {
                if (d.urn === r.urn || graph.topLevel(d).urn === own.urn || !graph.waits(r.urn, d.urn)) {
                    continue;
                }
                // Through a need of the release itself or of an earlier release it needs: the direct needs are checked below.
                const viaOther = releases.some((m) => m.urn !== d.urn && m.urn !== r.urn && graph.waits(r.urn, m.urn) && graph.waits(m.urn, d.urn));
                if (viaOther) {
                    continue;
                }
                const facts = renderedReleases(stack).find((f) => f.release === r.inputs.name && f.namespace === r.inputs.namespace);
                const dChart = chartOf(d);
                const crdNeed =
                    dChart in CRD_GROUPS_BY_CHART &&
                    (Object.keys(facts?.kinds ?? {}).some((k) => dChart === "prometheus-operator-crds" && MONITORING_KINDS.has(k)) ||
                        graph.descendants(own.urn).some((x) => Object.keys(CRD_GROUPS_BY_CHART[dChart]!).includes(groupOfType(x.type) ?? "")));
                const storageNeed = (facts?.claims ?? []).length > 0 && plan.resources.some((sc) => sc.type === "kubernetes:storage.k8s.io/v1:StorageClass" && graph.waits(sc.urn, d.urn) && graph.waits(r.urn, sc.urn));
                // A Service named by cluster DNS in the values (MinIO's S3 endpoint for Loki).
                const serviceNeed = JSON.stringify(r.inputs.values ?? {}).includes(`.${d.inputs.namespace}.svc.cluster.local`) && d.inputs.namespace !== r.inputs.namespace;
                const listed = JUSTIFIED_RELEASE_WAITS[`${chartOf(r)}→${dChart}`];
                if (!crdNeed && !storageNeed && !serviceNeed && !listed) {
                    reasons.push(`${r.name} waits for ${d.name}`);
                }
            }
        }
        expect(reasons).toEqual([]);
    });

    it("creates every StorageClass and every release claiming it beside the release running its CSI driver; their readiness waits for it, within their Helm timeout", () => {
        const edges = readinessEdges(plan.resources as PlannedResource[]);
        const problems: string[] = [];
        for (const sc of plan.resources.filter((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass")) {
            const driver = releaseOfChart(CSI_DRIVER_CHART[sc.inputs.provisioner] ?? "");
            if (!driver) {
                continue;
            }
            if (graph.waits(sc.urn, driver.urn)) problems.push(`StorageClass ${sc.inputs.metadata?.name} waits for ${driver.name}: a class is a plain object`);
            for (const facts of renderedReleases(stack)) {
                const consumer = releases.find((r) => r.inputs.name === facts.release && r.inputs.namespace === facts.namespace);
                const claimsIt = facts.claims.some((c) => (c.storageClassName ? c.storageClassName === sc.inputs.metadata?.name : sc === defaultStorageClass));
                if (!consumer || !claimsIt || consumer.urn === driver.urn) {
                    continue;
                }
                if (graph.waits(consumer.urn, driver.urn)) problems.push(`${consumer.name} is created after ${driver.name}`);
                if (!edges.some((e) => e.consumer === consumer.urn && e.provider === driver.urn)) problems.push(`${consumer.name}: no readiness wait for ${driver.name}`);
                const own = Number(consumer.inputs.timeout ?? HELM_RELEASE_DEFAULT_TIMEOUT_SECONDS);
                const providers = Number(driver.inputs.timeout ?? HELM_RELEASE_DEFAULT_TIMEOUT_SECONDS);
                if (own < providers + HELM_RELEASE_DEFAULT_TIMEOUT_SECONDS) problems.push(`${consumer.name}: timeout ${own} s does not cover ${driver.name}'s ${providers} s plus its own`);
            }
        }
        expect(problems).toEqual([]);
    });

    it("creates Loki beside MinIO (it restarts until its object store answers): its readiness waits for MinIO, within its timeout", () => {
        const loki = releaseOfChart("loki")!;
        const minio = releaseOfChart("minio")!;
        expect(JSON.stringify(loki.inputs.values)).toContain(`.${minio.inputs.namespace}.svc.cluster.local`);
        expect(graph.waits(loki.urn, minio.urn)).toBe(false);
        expect(readinessEdges(plan.resources as PlannedResource[]).some((e) => e.consumer === loki.urn && e.provider === minio.urn)).toBe(true);
        expect(Number(loki.inputs.timeout)).toBeGreaterThanOrEqual(Number(minio.inputs.timeout) + HELM_RELEASE_DEFAULT_TIMEOUT_SECONDS);
    });

    it("keeps the correctness orderings: recurring backup jobs after Longhorn's CRDs, the k3s upgrade Plans after every add-on release", () => {
        const longhorn = releaseOfChart("longhorn")!;
        for (const job of plan.resources.filter((r) => r.type === "kubernetes:longhorn.io/v1beta2:RecurringJob")) {
            expect(graph.waits(job.urn, longhorn.urn), job.name).toBe(true);
        }
        const plans = plan.resources.filter((r) => r.type === "kubernetes:upgrade.cattle.io/v1:Plan");
        expect(plans.length).toBeGreaterThan(0);
        for (const upgradePlan of plans) {
            const notAwaited = releases.filter((r) => !graph.waits(upgradePlan.urn, r.urn)).map((r) => r.name);
            expect(notAwaited, upgradePlan.name).toEqual([]);
        }
    });

    const poolWaits = plan.resources.filter((r) => /^node-pools-.+-ready$/.test(r.name));
    const poolOf = (wait: WrittenResource) => wait.name.replace(/^node-pools-/, "").replace(/-ready$/, "");
    const poolsWaitedBy = (r: WrittenResource) => poolWaits.filter((w) => graph.waits(r.urn, w.urn)).map(poolOf).sort();
    const nodes = planNodes(shippedConfig(stack), stack);
    /** Rendered workloads of a release, hooks and helm tests aside (Jobs and bare Pods). */
    const workloadsOf = (release: WrittenResource) =>
        (renderedReleases(stack).find((f) => f.release === release.inputs.name && f.namespace === release.inputs.namespace)?.workloads ?? []).filter((w) => w.kind !== "Job" && w.kind !== "Pod");
    const toleratesEverything = (w: { tolerations?: ReadonlyArray<{ key?: string; operator?: string }> }) => (w.tolerations ?? []).some((t) => t.key === undefined && t.operator === "Exists");

    it("installs Longhorn without waiting for the Prometheus Operator CRDs or any pool's wait: after the first server's storage label when it is a storage node, else after every storage node's; its ServiceMonitor waits for the CRDs", () => {
        const longhorn = releaseOfChart("longhorn")!;
        const crds = releaseOfChart("prometheus-operator-crds")!;
        // The chart renders no monitoring.coreos.com kind any more (the rendered facts at the pinned tag).
        const facts = renderedReleases(stack).find((f) => f.chart === "longhorn")!;
        expect(Object.keys(facts.kinds).filter((k) => MONITORING_KINDS.has(k))).toEqual([]);
        expect(graph.waits(longhorn.urn, crds.urn)).toBe(false);
        expect(poolsWaitedBy(longhorn)).toEqual([]);
        const storageHosts = nodes.filter((n) => n.storage).map((n) => n.hostname).sort();
        // Longhorn gives a node its default disk whenever the label appears on it (longhorn-manager's
        // kubernetes_node_controller.go syncDefaultDisks), so only the node Helm's wait starts with must be labelled first.
        const firstServer = nodes.find((n) => n.storage && n.role === "server" && n.index === 0);
        const awaited = plan.resources.filter((r) => r.type === "kubernetes:core/v1:NodePatch" && graph.waits(longhorn.urn, r.urn));
        expect(awaited.map((p) => p.inputs.metadata?.name).sort()).toEqual(firstServer ? [firstServer.hostname] : storageHosts);
        const patches = plan.resources.filter((r) => r.type === "kubernetes:core/v1:NodePatch" && r.name.startsWith("longhorn-node-"));
        expect(patches.map((p) => p.inputs.metadata?.name).sort()).toEqual(storageHosts);
        // Each patch waits for a node's start, which polls until the node is Ready (components/cluster/k3s-join.ts).
        for (const patch of patches) {
            expect(plan.resources.some((r) => r.type === "command:remote:Command" && r.name.endsWith("-k3s-start") && graph.waits(patch.urn, r.urn)), patch.name).toBe(true);
        }
        const monitor = plan.resources.find((r) => r.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor" && r.inputs.metadata?.name === "longhorn-prometheus-servicemonitor")!;
        expect(graph.waits(monitor.urn, crds.urn) && graph.waits(monitor.urn, longhorn.urn)).toBe(true);
    });

    it("waits for the pools only where a pod cannot follow a node that registers later: observability for the untainted pools, kured for none (DaemonSets tolerating every taint)", () => {
        const untaintedPools = [...new Set(nodes.filter((n) => n.taints.length === 0).map((n) => n.pool))].sort();
        for (const chart of ["kube-prometheus-stack", "loki", "alloy", "kured"]) {
            const release = releaseOfChart(chart);
            if (!release) continue;
            // A component's waits hold for all of its releases (Observability: kube-prometheus-stack, Loki, Alloy).
            const component = graph.topLevel(release).urn;
            const workloads = releases.filter((r) => graph.topLevel(r).urn === component).flatMap(workloadsOf);
            expect(workloads.length, chart).toBeGreaterThan(0);
            // What may skip a pool's wait: a DaemonSet tolerating every taint (the DaemonSet controller gives each new node its pod).
            const followers = workloads.filter((w) => w.kind === "DaemonSet" && toleratesEverything(w));
            const expected = followers.length === workloads.length ? [] : untaintedPools;
            expect(poolsWaitedBy(release), chart).toEqual(expected);
        }
    });

    it("creates the registry configurator beside Harbor's release: it waits for Harbor in the cluster (poll figure), within a deadline covering Harbor's Helm timeout", () => {
        const harbor = releaseOfChart("harbor")!;
        const configurators = plan.resources.filter((r) => r.type === "kubernetes:batch/v1:Job" && /^registry-configurator-\d+$/.test(r.name));
        expect(configurators.length).toBeGreaterThan(0);
        const edges = readinessEdges(plan.resources as PlannedResource[]);
        for (const job of configurators) {
            expect(graph.waits(job.urn, harbor.urn), job.name).toBe(false);
            expect(edges.find((e) => e.consumer === job.urn && e.provider === harbor.urn)?.need, job.name).toBe("service:registry/harbor");
            expect(Number(job.inputs.spec?.activeDeadlineSeconds), job.name).toBeGreaterThan(Number(harbor.inputs.timeout));
            expect(Number(harbor.inputs.timeout)).toBe(RELEASE_TIMEOUT_SECONDS.harbor);
        }
    });

    it("creates the Grafana organisations Job beside the monitoring release: it waits for Grafana in the cluster (poll figure), within a deadline covering that release's Helm timeout", () => {
        const kps = releaseOfChart("kube-prometheus-stack");
        const job = plan.resources.find((r) => r.type === "kubernetes:batch/v1:Job" && r.name === "observability-grafana-orgs");
        if (!kps || !job) return;
        expect(graph.waits(job.urn, kps.urn)).toBe(false);
        const edge = readinessEdges(plan.resources as PlannedResource[]).find((e) => e.consumer === job.urn && e.provider === kps.urn);
        expect(edge).toMatchObject({ need: "service:monitoring/kube-prometheus-stack-grafana", seconds: 15 });
        expect(Number(job.inputs.spec?.activeDeadlineSeconds)).toBeGreaterThan(Number(kps.inputs.timeout));
        expect(Number(kps.inputs.timeout)).toBe(RELEASE_TIMEOUT_SECONDS.kubePrometheusStack);
    });

    if (stack === "dev") {
        // The projects' image builds run in their grants stacks (ProjectGrants, after this stack: the driver's
        // order), tenant work of unknowable length (README "Building from git": known limits); none is here.
        const isBuild = (r: WrittenResource) =>
            (r.type === "kubernetes:batch/v1:Job" && (r.inputs.metadata as { namespace?: string } | undefined)?.namespace === NAMESPACES.builds) || (r.type === "command:local:Command" && r.name.endsWith("-image-digest"));
        it(`estimates the dev stack's first up at ${DEV_BRING_UP_TARGET_SECONDS / 60} min or less; the projects' builds are in their grants stacks, not here`, () => {
            expect(plan.resources.filter(isBuild).map((r) => r.name)).toEqual([]);
            const grantsBuilds = plannedTenants(stack).flatMap((id) => readGrantsPlan(stack, id).resources.filter(isBuild));
            expect(grantsBuilds.length).toBeGreaterThan(0);
            expect(criticalPath(plan.resources as PlannedResource[]).totalSeconds).toBeLessThanOrEqual(DEV_BRING_UP_TARGET_SECONDS);
        });

        it(`brings the dev platform stack up in ${DEV_BRING_UP_TARGET_SECONDS / 60} min or less with the projects' grants and builds in their own stacks, as the driver runs the region`, () => {
            const stages = stagesOfRegion(
                stack,
                plan.resources as PlannedResource[],
                plannedTenants(stack).map((id) => ({ id, app: readTenantPlan(stack, id).resources as PlannedResource[], grants: readGrantsPlan(stack, id).resources as PlannedResource[] })),
            );
            expect(stages.platform.resources.filter((r) => r.type === GRANTS_COMPONENT_TYPE)).toEqual([]);
            expect(stages.tenants.every((t) => t.grants.resources.some((r) => r.type === "kubernetes:core/v1:Namespace"))).toBe(true);
            const region = regionBringUp(stages, DEFAULT_PARALLEL);
            expect(region.platform.finishSeconds).toBeLessThanOrEqual(DEV_BRING_UP_TARGET_SECONDS);
            // The region ends with a tenant pipeline: two stack boundaries and the tenant's own work after the platform.
            expect(region.totalSeconds).toBeGreaterThan(region.platform.finishSeconds + 2 * region.boundarySeconds);
        });

        it(`brings the dev region up in ${DEV_BRING_UP_TARGET_SECONDS / 60} min or less as the driver runs it: platform stack, then each tenant's grants and app stacks, their programs run as JavaScript`, () => {
            const runtimes = pipelineRuntimes(path.resolve(__dirname, "../.."));
            expect(runtimes).toEqual({ grants: "javascript", app: "javascript" });
            const stages = stagesOfRegion(
                stack,
                plan.resources as PlannedResource[],
                plannedTenants(stack).map((id) => ({ id, app: readTenantPlan(stack, id).resources as PlannedResource[], grants: readGrantsPlan(stack, id).resources as PlannedResource[] })),
                runtimes,
            );
            const region = regionBringUp(stages, DEFAULT_PARALLEL);
            expect(region.totalSeconds).toBeLessThanOrEqual(DEV_BRING_UP_TARGET_SECONDS);
            // The slowest pipeline is the one that builds (paas-app): its build waits for the platform stack's registry.
            expect(region.slowest?.grants.path.steps.some((step) => step.type === "kubernetes:batch/v1:Job")).toBe(true);
        });

        it("builds in a grants stack, which the driver runs after the platform stack (its configurator created the push robots)", () => {
            const isConfigurator = (name: string) => /^registry-configurator-\d+$/.test(name);
            expect(plan.resources.filter((r) => r.type === "kubernetes:batch/v1:Job" && isConfigurator(r.name)).length).toBeGreaterThan(0);
            for (const id of plannedTenants(stack)) {
                const grants = readGrantsPlan(stack, id).resources;
                // Nothing of the platform stack is in a grants stack: the order between them is the driver's.
                expect(grants.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" || isConfigurator(r.name)).map((r) => r.name), id).toEqual([]);
            }
        });
    }

    it("MinIO waits for Longhorn's StorageClass, not for the rest of Longhorn; Alloy does not wait for Loki; nothing waits for kube-prometheus-stack but its dashboards and the k3s upgrade Plans", () => {
        const minio = releaseOfChart("minio")!;
        const recurringJobs = plan.resources.filter((r) => r.type === "kubernetes:longhorn.io/v1beta2:RecurringJob");
        expect(recurringJobs.length).toBeGreaterThan(0);
        expect(recurringJobs.filter((j) => graph.waits(minio.urn, j.urn)).map((j) => j.name)).toEqual([]);
        expect(graph.waits(releaseOfChart("alloy")!.urn, releaseOfChart("loki")!.urn)).toBe(false);
        const kps = releaseOfChart("kube-prometheus-stack")!;
        const waiting = plan.resources.filter((r) => graph.waits(r.urn, kps.urn) && graph.topLevel(r).type !== "platform:upgrades:K3sUpgrades");
        expect(new Set(waiting.map((r) => graph.topLevel(r).type))).toEqual(new Set(["platform:addons:Observability"]));
    });
});
