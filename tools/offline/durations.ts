import type { PlannedResource } from "./plan-types";

/**
 * How long `pulumi up` spends creating one resource of the plan: the duration model of the bring-up
 * estimate (tools/offline/critical-path.ts). Figures are typical wall-clock times of the create call as the
 * Pulumi engine sees it (from the request until the provider reports the resource ready), not measurements
 * of this platform; each rule says why it has its value. Components take no time of their own: they finish
 * when their children do.
 */

/** A duration rule: the first matching rule decides. */
export interface DurationRule {
    /** Short identifier printed next to the estimate. */
    id: string;
    /** Seconds the create takes. */
    seconds: number;
    /** Why this value (kept with the number so the model can be reviewed). */
    why: string;
    /** Whether the rule applies. */
    matches: (resource: PlannedResource) => boolean;
}

/** Seconds per Helm chart; `helm.v3.Release` waits for the chart's workloads to become ready. */
export const HELM_CHART_SECONDS: Readonly<Record<string, number>> = {
    // Controller + speaker DaemonSet; small images.
    metallb: 60,
    // One Deployment (or DaemonSet on edge nodes); Pulumi waits for the LoadBalancer Service address.
    traefik: 60,
    // Three Deployments; the webhook must pass its readiness probe before the release is ready.
    "cert-manager": 90,
    // One small Deployment (the DNS-01 solver webhook) plus its APIService registration.
    "cert-manager-webhook-hetzner": 60,
    // CustomResourceDefinitions only, no workload: the wait is for the CRDs to be established.
    "prometheus-operator-crds": 30,
    // Manager DaemonSet, CSI driver and plugin, UI, engine images pulled on every node: the slowest add-on.
    longhorn: 180,
    // StatefulSet whose pods wait for Longhorn volumes to provision and attach.
    minio: 120,
    // CRDs, operator, Prometheus StatefulSet with a volume, Grafana, kube-state-metrics, node-exporter.
    "kube-prometheus-stack": 180,
    // Single-binary Loki with a volume plus the log agent DaemonSet.
    loki: 120,
    promtail: 60,
    alloy: 60,
    // Server, repo-server, application controller, Redis, Dex: several images.
    "argo-cd": 120,
};

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
        matches: (r) => !r.custom,
    },
    {
        id: "baremetal-install",
        seconds: 900,
        why: "Robot reset into rescue (2-3 min), installimage with software RAID and image unpack (5-8 min), reboot, first boot with cloud-init and tailnet join (3-4 min): ~15 min",
        matches: (r) =>
            (r.type === "pulumi-nodejs:dynamic:Resource" && "serverNumber" in r.inputs && INSTALL_INPUT_KEYS.some((k) => k in r.inputs)) ||
            ((r.type === "command:remote:Command" || r.type === "pulumi-nodejs:dynamic:Resource") && stringInputs(r).some((s) => s.includes("installimage"))),
    },
    {
        id: "robot-api",
        seconds: 5,
        why: "one Robot web-service call (key, vSwitch, server name): about a second, plus the retries its rate limit forces",
        matches: (r) => r.type === "pulumi-nodejs:dynamic:Resource",
    },
    {
        id: "hcloud-server",
        seconds: 45,
        why: "hcloud create-server action until status running: 30-60 s; cloud-init continues afterwards and is waited for by the k3s command's SSH retries",
        matches: (r) => r.type === "hcloud:index/server:Server",
    },
    {
        id: "hcloud-floating-ip",
        seconds: 5,
        why: "allocate the address, then an assign action to the edge server",
        matches: (r) => r.type === "hcloud:index/floatingIp:FloatingIp" || r.type === "hcloud:index/floatingIpAssignment:FloatingIpAssignment",
    },
    {
        id: "hcloud-api",
        seconds: 2,
        why: "network, subnet, firewall, placement group, SSH key: one synchronous hcloud API call each",
        matches: (r) => r.type.startsWith("hcloud:"),
    },
    {
        id: "k3s-install",
        seconds: 90,
        why: "SSH over the tailnet once the node has joined (dial retries cover the rest of cloud-init), k3s download and install, systemd start, node Ready: ~90 s",
        matches: (r) => r.type === "command:remote:Command" && (/k3s-(start|install|join)/.test(r.name) || String(r.inputs.create ?? "").includes("get.k3s.io")),
    },
    {
        id: "remote-command",
        seconds: 10,
        why: "any other remote command (e.g. reading the kubeconfig): SSH handshake over the tailnet plus a short script",
        matches: (r) => r.type.startsWith("command:"),
    },
    {
        id: "helm-release",
        seconds: HELM_DEFAULT_SECONDS,
        why: "helm install waiting for the chart's workloads; per chart in HELM_CHART_SECONDS (60-180 s)",
        matches: (r) => r.type === "kubernetes:helm.sh/v3:Release",
    },
    {
        id: "k8s-workload",
        seconds: 30,
        why: "Pulumi awaits the rollout: image pull and readiness probe of the first pods, 20-40 s for small images",
        matches: (r) => /^kubernetes:(apps\/v1:(Deployment|StatefulSet|DaemonSet)|batch\/v1:Job)$/.test(r.type),
    },
    {
        id: "k8s-object",
        seconds: 2,
        why: "one server-side apply against the API server, no readiness to await",
        matches: (r) => r.type.startsWith("kubernetes:"),
    },
    {
        id: "tailscale-key",
        seconds: 1,
        why: "one Tailscale API call",
        matches: (r) => r.type.startsWith("tailscale:"),
    },
    {
        id: "local",
        seconds: 0.1,
        why: "computed locally by the provider (keys, passwords): no remote call",
        matches: (r) => r.type.startsWith("tls:") || r.type.startsWith("random:"),
    },
    {
        id: "provider",
        seconds: 1,
        why: "provider configuration: plugin start and credential check",
        matches: (r) => r.type.startsWith("pulumi:providers:"),
    },
];

/** Fallback when no rule matches: one API call of an unknown provider. */
export const DEFAULT_RULE: DurationRule = { id: "default", seconds: 2, why: "one API call of a provider without a specific rule", matches: () => true };

/** The duration of one resource and the rule that decided it. */
export function durationOf(resource: PlannedResource): { seconds: number; rule: string } {
    const rule = DURATION_RULES.find((r) => r.matches(resource)) ?? DEFAULT_RULE;
    if (rule.id === "helm-release") {
        return { seconds: HELM_CHART_SECONDS[chartOf(resource)] ?? HELM_DEFAULT_SECONDS, rule: `helm:${chartOf(resource) || "?"}` };
    }
    return { seconds: rule.seconds, rule: rule.id };
}
