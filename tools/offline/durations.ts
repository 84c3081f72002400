import * as path from "node:path";
import type { PlannedResource } from "./plan-types";
import { renderGuardCreate } from "../../components/nodes/disruption-guard";
import { BUILD_DIGEST_SCRIPT } from "../../components/builds/digest";

/**
 * How long `pulumi up` spends creating one resource of the plan: the duration model of the bring-up
 * estimate (tools/offline/critical-path.ts). Figures are typical wall-clock times of the create call as the
 * Pulumi engine sees it (from the request until the provider reports the resource ready), not measurements
 * of this platform; each rule says why it has its value. Components take no time of their own: they finish
 * when their children do.
 */

/**
 * Where a figure comes from. Upstream facts bound a figure (what a create waits for, probe delays, hook
 * timeouts); none of them is a timing of this platform, so every figure is also a judgement, and says so.
 * `test/tools/offline/duration-model.test.ts` freezes each figure together with its source: a figure never
 * changes without its source changing too (and the frozen table being updated in the same commit).
 */
export interface FigureSource {
    /** What the figure rests on: URLs, or repository paths at the pinned tag (`owner/repo@tag:path`). */
    readonly refs: readonly string[];
    /** Why the number is what it is, given those facts; `judgement:` when no upstream figure exists. */
    readonly reasoning: string;
}

/** A duration rule: the first matching rule decides. */
export interface DurationRule {
    /** Short identifier printed next to the estimate. */
    id: string;
    /** Seconds the create takes. */
    seconds: number;
    /** Why this value (kept with the number so the model can be reviewed). */
    why: string;
    /** Where the value comes from. */
    source: FigureSource;
    /** Whether the rule applies. */
    matches: (resource: PlannedResource) => boolean;
}

/** What `helm.v3.Release` waits for: the basis of every per-chart figure below. */
const HELM_WAIT: readonly string[] = [
    // Pulumi's Release runs Helm's install with its wait unless skipAwait is set.
    "https://pulumi.com/registry/packages/kubernetes/api-docs/helm/v3/release/ (embeds Helm as a library; awaits unless skipAwait, pulumi-kubernetes#1603)",
    // Helm's --wait: all Pods, PVCs, Services and minimum available Pods of Deployments/StatefulSets/ReplicaSets ready; hooks run in between.
    "https://helm.sh/docs/helm/helm_upgrade/#helm-upgrade (--wait: Pods, PVCs, Services and minimum available Pods of Deployments/StatefulSets/ReplicaSets ready; text as quoted in Qovery/engine#460)", "https://helm.sh/community/hips/hip-0022 (Helm 3 --wait does not wait for custom resources)",
];

/** One chart's figure: seconds until the release is ready, and where that comes from. */
export interface ChartFigure {
    /** Seconds the release takes. */
    readonly seconds: number;
    /** Where the value comes from. */
    readonly source: FigureSource;
}

/** Seconds per Helm chart; `helm.v3.Release` waits for the chart's workloads to become ready. */
export const HELM_CHARTS: Readonly<Record<string, ChartFigure>> = {
    metallb: {
        seconds: 60,
        source: {
            refs: [...HELM_WAIT, "metallb/metallb@metallb-chart-0.16.1:charts/metallb/values.yaml (controller and speaker probes initialDelaySeconds: 10)"],
            reasoning: "judgement: two small images pulled and one controller plus the speaker DaemonSet ready; the probes start after 10 s",
        },
    },
    traefik: {
        seconds: 60,
        source: {
            refs: [...HELM_WAIT, "traefik/traefik-helm-chart@v41.3.0:traefik/values.yaml (readinessProbe initialDelaySeconds: 2)"],
            reasoning: "judgement: one image and one Deployment with a 2 s probe delay; the LoadBalancer Service address comes from MetalLB, already running",
        },
    },
    "cert-manager": {
        seconds: 90,
        source: {
            refs: [
                ...HELM_WAIT,
                "cert-manager/cert-manager@v1.21.1:deploy/charts/cert-manager/values.yaml (webhook readinessProbe initialDelaySeconds: 5; startupapicheck post-install hook waits up to timeout: 1m for the webhook)",
            ],
            reasoning: "judgement: three Deployments (image pulls ~30 s), then the startupapicheck hook, bounded by its 1 min timeout",
        },
    },
    "cert-manager-webhook-hetzner": {
        seconds: 60,
        source: {
            refs: [...HELM_WAIT, "hetzner/cert-manager-webhook-hetzner@v0.9.0:chart/templates (one Deployment and its APIService)"],
            reasoning: "judgement: one small Deployment ready plus the APIService registration",
        },
    },
    "prometheus-operator-crds": {
        seconds: 30,
        source: {
            refs: [...HELM_WAIT, "prometheus-community/helm-charts@prometheus-operator-crds-31.0.1:charts/prometheus-operator-crds (CustomResourceDefinitions only, rendered facts charts/rendered/*/prometheus-operator-crds.json)"],
            reasoning: "judgement: ten CRDs applied, no workload for --wait to await; the time is the API server establishing them",
        },
    },
    longhorn: {
        seconds: 180,
        source: {
            refs: [
                ...HELM_WAIT,
                "longhorn/longhorn@v1.12.1:chart/templates/daemonset-sa.yaml (longhorn-manager readinessProbe on its admission webhook /v1/healthz)",
                "longhorn/longhorn@v1.12.1:chart/templates/deployment-driver.yaml (driver-deployer init container waits for longhorn-backend:9500, then deploys the CSI driver)",
            ],
            reasoning: "judgement: the largest images of the platform pulled on every Longhorn node, the manager DaemonSet ready, then the driver deployer and UI; ~3 min",
        },
    },
    minio: {
        seconds: 120,
        source: {
            refs: [...HELM_WAIT, "minio/minio@7aac2a2c5:helm/minio/templates/post-job.yaml (post-install hook creating buckets, users and policies; Helm waits for it)"],
            reasoning: "judgement: its PVC provisioned and attached by Longhorn (already running), the MinIO pod ready, then the provisioning post-install Job",
        },
    },
    "kube-prometheus-stack": {
        seconds: 180,
        source: {
            refs: [
                ...HELM_WAIT,
                "prometheus-community/helm-charts@kube-prometheus-stack-88.5.3:charts/kube-prometheus-stack/templates/prometheus-operator/admission-webhooks/job-patch (pre-install and post-install hook Jobs)",
            ],
            reasoning: "judgement: the admission-webhook hook Jobs, operator, Grafana, kube-state-metrics and node-exporter on every node; Prometheus itself is a custom resource Helm does not wait for",
        },
    },
    loki: {
        seconds: 120,
        source: {
            refs: [...HELM_WAIT, "grafana-community/helm-charts@loki-18.11.0:charts/loki/values.yaml (readinessProbe /ready, initialDelaySeconds: 15)"],
            reasoning: "judgement: single-binary StatefulSet with a Longhorn volume; /ready only after the ring settles and the object store answers",
        },
    },
    promtail: {
        seconds: 60,
        source: { refs: [...HELM_WAIT], reasoning: "judgement: one DaemonSet with a small image (no shipped stack installs it; kept for stacks that do)" },
    },
    alloy: {
        seconds: 60,
        source: {
            refs: [
                ...HELM_WAIT,
                "grafana/alloy@helm-chart/1.11.1:operations/helm/charts/alloy/values.yaml (readiness initialDelaySeconds: 10)",
                "grafana/alloy@helm-chart/1.11.1:internal/runtime/alloy.go (Ready() is true once the configuration loaded once; it does not wait for Loki)",
            ],
            reasoning: "judgement: one DaemonSet on every node, ready once its configuration is loaded",
        },
    },
    "argo-cd": {
        seconds: 120,
        source: {
            refs: [...HELM_WAIT, "argoproj/argo-helm@argo-cd-10.1.1:charts/argo-cd/values.yaml (probes initialDelaySeconds: 10)"],
            reasoning: "judgement: server, repo-server, application controller, Redis and Dex: several images pulled and ready",
        },
    },
};

/** Seconds per Helm chart (the figures of HELM_CHARTS). */
export const HELM_CHART_SECONDS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(HELM_CHARTS).map(([chart, f]) => [chart, f.seconds]));

/**
 * Seconds that are not one resource's create: what a consumer still needs once the provider it waits for in the
 * cluster is ready (a readiness wait of tools/offline/readiness.ts), and the gap between two stacks the driver runs
 * one after the other (tools/offline/region-bring-up.ts). Frozen like the per-resource figures.
 */
export const WAIT_FIGURES = {
    "volume-user": {
        seconds: 35,
        source: {
            refs: [
                "https://github.com/longhorn/longhorn/issues/2465 (a fresh Longhorn PVC: 3-4 s to create and bind the PV)",
                "https://github.com/longhorn/longhorn/issues/2322 (event timeline of a pod on a Longhorn volume: Scheduled, SuccessfulAttachVolume 12 s later, containers started 19 s after the attach)",
                "https://kubernetes-csi.github.io/docs/external-attacher.html (the attacher turns a VolumeAttachment into ControllerPublishVolume; the kubelet then stages and publishes the mount)",
            ],
            reasoning:
                "judgement: once Longhorn's CSI driver runs, a claim created beside it is provisioned and bound (~4 s), attached (~12 s), mounted and its containers started (~19 s): ~35 s; the consumer's own readiness probe and image pull are not added (they ran while it waited)",
        },
    },
    "k3s-agent-join": {
        seconds: 20,
        source: {
            refs: [
                "https://docs.k3s.io/cli/token (TLS bootstrapping: the joining node downloads /cacerts, checks its hash against the token, then presents the credentials)",
                "components/cluster/k3s-join.ts (the start script probes /cacerts every pollSeconds (5 s) until a server answers, then restarts the agent unit and waits for it to be active)",
            ],
            reasoning:
                "judgement: an agent installed beside its server registers once the server answers: up to one 5 s probe interval, then the agent retrieves its configuration, starts containerd and the kubelet and reports active: ~20 s",
        },
    },
    "service-poll": {
        seconds: 15,
        source: {
            refs: [
                "components/registry/configurator.ts (the configurator, created beside Harbor's release, probes Harbor's /api/v2.0/health every CONFIGURATOR_POLL_SECONDS (10 s) until it answers, then creates its shard's projects, retention rules and robots: a few API calls per project)",
                "goharbor/harbor@v2.15.1:src/server/v2.0/handler/health.go (GetHealth answers 200, with each component's status, once core serves the API; the probe needs core only)",
                "components/observability/grafana-orgs.ts (the Grafana organisations Job, created beside the monitoring release, probes Grafana's /api/health every GRAFANA_ORGS_POLL_SECONDS (10 s) until it answers, then creates each project's organisation, datasource and viewer: a few API calls per project)",
            ],
            reasoning:
                "judgement: a Job that waits for a platform Service itself notices it answering within one 10 s probe interval after the release is ready, then applies its state (a new region's few projects: a few in-cluster API calls each, ~1 s each at most): ~15 s; its own image pull and start ran while it waited",
        },
    },
    "stack-boundary": {
        seconds: 30,
        source: {
            refs: [
                "https://github.com/pulumi/pulumi/issues/3671 (the shortest pulumi up is ~4 s: service calls, Node.js boot, program start, provider configuration)",
                "https://github.com/pulumi/pulumi/issues/1150 (5-10 s between invoking pulumi up and the first resource)",
                "https://github.com/pulumi/pulumi/issues/2874 (ts-node type-checks a TypeScript program before it runs: up to a minute with large provider types)",
                "tools/driver/orchestrate.ts (the driver runs a tenant's stacks one after the other, each a separate pulumi up through the Automation API)",
            ],
            reasoning:
                "judgement: a new pulumi up of a TypeScript program with the kubernetes provider: CLI start, backend lock and checkpoint, ts-node compiling the program (@pulumi/kubernetes types), plugin start, the StackReference read; ~30 s before its first create",
        },
    },
    "stack-boundary-javascript": {
        seconds: 10,
        source: {
            refs: [
                "https://github.com/pulumi/pulumi/issues/3671 (a steady-state pulumi up of the default template, preview and update, 8.5 s on average, ~7 s of it the AWS provider's Configure; the Node.js program process ~1 s, in parallel with Configure; service calls ~0.4 s and GetRequiredPlugins ~0.25 s per pass)",
                "https://github.com/pulumi/pulumi/issues/1150 (5-10 s between invoking pulumi up and its first results)",
                "pulumi/pulumi@v3.248.0:sdk/nodejs/cmd/run/run.ts (ts-node is registered only when PULUMI_NODEJS_TYPESCRIPT is true; otherwise the main module is required and its export awaited)",
                "tools/driver/orchestrate.ts (the driver builds the programs' bundles before the first tenant stack, so each run only checks their freshness)",
            ],
            reasoning:
                "judgement: a new pulumi up of a program run as JavaScript (no ts-node, so no type check): CLI start, backend lock and checkpoint, the Node.js process loading the bundle and @pulumi/kubernetes (~1 s), the kubernetes provider's plugin start and Configure against the API server over the tailnet, the hand-over config read; the top of the 5-10 s that #1150 reports before the first result: ~10 s before its first create",
        },
    },
} as const satisfies Readonly<Record<string, ChartFigure>>;

/** Default for a chart not listed above: the middle of the 60-180 s range the workload charts span. */
export const HELM_DEFAULT_SECONDS = 90;

const INSTALL_INPUT_KEYS = ["autosetup", "installimage", "image", "postInstall", "userData"];

function stringInputs(resource: PlannedResource): string[] {
    return Object.values(resource.inputs).filter((v): v is string => typeof v === "string");
}

function chartOf(resource: PlannedResource): string {
    const chart = resource.inputs.chart;
    // `repo/chart` and OCI references: the last path segment names the chart.
    return typeof chart === "string" ? (chart.split("/").pop() ?? chart) : "";
}

/** The rules, in order. */
export const DURATION_RULES: readonly DurationRule[] = [
    {
        id: "component",
        seconds: 0,
        why: "a component registers instantly; it finishes when its children do (an edge of the graph, not a duration)",
        source: { refs: [], reasoning: "structural: a component is no API call; the engine registers it at once" },
        matches: (r) => !r.custom,
    },
    {
        id: "baremetal-install",
        seconds: 900,
        why: "Robot reset into rescue (2-3 min), installimage with software RAID and image unpack (5-8 min), reboot, first boot with cloud-init and tailnet join (3-4 min): ~15 min",
        source: { refs: ["/work/shared/DESIGN.md (section Hetzner Robot: reset, rescue, installimage, reboot, NoCloud first boot)", "https://docs.rs/hrobot/latest/hrobot/api/reset/enum.Reset.html (reset kinds; no durations)"], reasoning: "judgement: no upstream duration found (Robot and installimage docs searched); a reset into rescue, an unattended installimage with software RAID and a first boot with cloud-init and the tailnet join add up to ~15 min" },
        matches: (r) =>
            (r.type === "pulumi-nodejs:dynamic:Resource" && "serverNumber" in r.inputs && INSTALL_INPUT_KEYS.some((k) => k in r.inputs)) ||
            ((r.type === "command:remote:Command" || r.type === "pulumi-nodejs:dynamic:Resource") && stringInputs(r).some((s) => s.includes("installimage"))),
    },
    {
        id: "robot-api",
        seconds: 5,
        why: "one Robot web-service call (key, vSwitch, server name): about a second, plus the retries its rate limit forces",
        source: { refs: ["components/baremetal/robot-client.ts (DEFAULT_RETRY_POLICY: back-off from 2 s on 403 RATE_LIMIT_EXCEEDED/429/5xx)"], reasoning: "judgement: one synchronous HTTPS call (~1 s) plus room for one retry after the first 2 s back-off" },
        matches: (r) => r.type === "pulumi-nodejs:dynamic:Resource",
    },
    {
        id: "hcloud-server",
        seconds: 45,
        why: "hcloud create-server action until status running: 30-60 s; cloud-init continues afterwards and is waited for by the k3s command's SSH retries",
        source: { refs: ["https://alchemy.run/hetzner/compute/servers (third party: a server boots in about ten seconds)", "https://github.com/TimDaub/hetzner-cloud-deploy-server-action (third party: default startup-timeout 40000 ms until SSH answers)"], reasoning: "judgement: third-party reports put the create at 10-40 s; 45 s keeps room for the action polling. cloud-init continues after it and is waited for by the k3s start" },
        matches: (r) => r.type === "hcloud:index/server:Server",
    },
    {
        id: "hcloud-floating-ip",
        seconds: 5,
        why: "allocate the address, then an assign action to the edge server",
        source: { refs: [], reasoning: "judgement: one create call plus one assign action (no upstream timing consulted)" },
        matches: (r) => r.type === "hcloud:index/floatingIp:FloatingIp" || r.type === "hcloud:index/floatingIpAssignment:FloatingIpAssignment",
    },
    {
        id: "hcloud-api",
        seconds: 2,
        why: "network, subnet, firewall, placement group, SSH key: one synchronous hcloud API call each",
        source: { refs: [], reasoning: "judgement: one API call each (no upstream timing consulted)" },
        matches: (r) => r.type.startsWith("hcloud:"),
    },
    {
        id: "k3s-install",
        seconds: 90,
        why: "SSH over the tailnet once the node has joined (dial retries cover the rest of cloud-init), k3s download and install, systemd start, node Ready: ~90 s",
        source: { refs: ["https://docs.k3s.io/quick-start (install script, systemd unit; no timing given)", "components/cluster/k3s-join.ts (start script: waits for cloud-init, starts the unit, polls for the Ready node with a 15 min deadline)"], reasoning: "judgement: k3s binary download and install, unit start and the node Ready; no upstream timing, ~90 s" },
        matches: (r) => r.type === "command:remote:Command" && (/k3s-(start|install|join)/.test(r.name) || String(r.inputs.create ?? "").includes("get.k3s.io")),
    },
    {
        id: "local",
        seconds: 0.1,
        why: "computed locally by the provider (keys, passwords, a disruption guard's create, which only prints the node's settings): no remote call",
        source: { refs: [], reasoning: "structural: computed inside the provider, no remote call" },
        // Before the command rules: a disruption guard's create (components/nodes/disruption-guard.ts) is one printf
        // in a local shell, no SSH and no API call, which the remote-command figure (an SSH round trip) does not describe.
        matches: (r) => r.type.startsWith("tls:") || r.type.startsWith("random:") || (r.type === "command:local:Command" && r.inputs.create === renderGuardCreate()),
    },
    {
        id: "local-api-read",
        seconds: 2,
        why: "a local script that reads one object through the Kubernetes API (a build's digest from its Job's pod): one API call, no SSH",
        source: {
            refs: ["components/builds/digest.ts (the digest read-back: a command.local.Command running components/builds/build-digest.js, which lists the Job's pods with one GET and prints the digest of its termination message)"],
            reasoning: "judgement: a local Node.js process (well under a second to start) and one GET against the API server over the tailnet: one API call, as the k8s-object figure; the remote-command figure (an SSH handshake and a script on a node) does not describe it",
        },
        // Before the command rules: the digest read-back runs no SSH; it is one API call from where `pulumi up` runs.
        matches: (r) => r.type === "command:local:Command" && String(r.inputs.create ?? "").includes(path.basename(BUILD_DIGEST_SCRIPT)),
    },
    {
        id: "remote-command",
        seconds: 10,
        why: "any other remote command (e.g. reading the kubeconfig): SSH handshake over the tailnet plus a short script",
        source: { refs: ["components/cluster/node-pool-scripts.ts (label, taint and Ready checks: one kubectl call each)"], reasoning: "judgement: SSH handshake over the tailnet plus a short script" },
        matches: (r) => r.type.startsWith("command:"),
    },
    {
        id: "helm-release",
        seconds: HELM_DEFAULT_SECONDS,
        why: "helm install waiting for the chart's workloads; per chart in HELM_CHART_SECONDS (60-180 s)",
        source: { refs: [...HELM_WAIT], reasoning: "judgement: the middle of the 60-180 s the per-chart figures span" },
        matches: (r) => r.type === "kubernetes:helm.sh/v3:Release",
    },
    {
        id: "k8s-workload",
        seconds: 30,
        why: "Pulumi awaits the rollout: image pull and readiness probe of the first pods, 20-40 s for small images",
        source: { refs: ["https://www.pulumi.com/registry/packages/kubernetes/api-docs/apps/v1/deployment (await: the Available condition)", "https://github.com/pulumi/pulumi-kubernetes/commit/3ea7823cbcc5b594a42a206a7a231c9e1531c3ef (pkg/await: Deployment and StatefulSet awaiters, default timeouts)"], reasoning: "judgement: image pull and first readiness probe of small images, 20-40 s" },
        matches: (r) => /^kubernetes:(apps\/v1:(Deployment|StatefulSet|DaemonSet)|batch\/v1:Job)$/.test(r.type),
    },
    {
        id: "k8s-object",
        seconds: 2,
        why: "one server-side apply against the API server, no readiness to await",
        source: { refs: [], reasoning: "judgement: one API call; plain objects have no readiness to await (no upstream timing consulted)" },
        matches: (r) => r.type.startsWith("kubernetes:"),
    },
    {
        id: "tailscale-key",
        seconds: 1,
        why: "one Tailscale API call",
        source: { refs: [], reasoning: "judgement: one API call (no upstream timing consulted)" },
        matches: (r) => r.type.startsWith("tailscale:"),
    },

    {
        id: "provider",
        seconds: 1,
        why: "provider configuration: plugin start and credential check",
        source: { refs: [], reasoning: "judgement: a provider plugin starts and checks its configuration" },
        matches: (r) => r.type.startsWith("pulumi:providers:"),
    },
];

/** Fallback when no rule matches: one API call of an unknown provider. */
export const DEFAULT_RULE: DurationRule = {
    id: "default",
    seconds: 2,
    why: "one API call of a provider without a specific rule",
    source: { refs: [], reasoning: "judgement: one API call of a provider no other rule describes" },
    matches: () => true,
};

/** The duration of one resource and the rule that decided it. */
export function durationOf(resource: PlannedResource): { seconds: number; rule: string } {
    const rule = DURATION_RULES.find((r) => r.matches(resource)) ?? DEFAULT_RULE;
    if (rule.id === "helm-release") {
        return { seconds: HELM_CHART_SECONDS[chartOf(resource)] ?? HELM_DEFAULT_SECONDS, rule: `helm:${chartOf(resource) || "?"}` };
    }
    return { seconds: rule.seconds, rule: rule.id };
}
