import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { NAMESPACES } from "../../lib/conventions";
import { chartValues, CHARTS, releaseArgs } from "../../charts/versions";
import { renderPlatformNamespace } from "../nodes/placement";
import { RELEASES } from "./values";
import { requirement, type Provides } from "../../lib/requirements";

/** Arguments of the Prometheus Operator CRDs (none needed beyond the pinned chart). */
export interface PrometheusOperatorCrdsArgs {
    /** Extra labels for the monitoring namespace. */
    namespaceLabels?: Readonly<Record<string, string>>;
}

/**
 * The Prometheus Operator CRDs (`platform:addons:PrometheusOperatorCrds`), installed first from the
 * `prometheus-operator-crds` chart of the same operator version kube-prometheus-stack ships. Every add-on
 * that ships a ServiceMonitor (Traefik, cert-manager, Longhorn, MinIO, Loki, Argo CD) depends on this, and
 * kube-prometheus-stack, which needs Longhorn for its volumes, installs without CRDs of its own. It also
 * creates the monitoring namespace.
 */
export class PrometheusOperatorCrds extends pulumi.ComponentResource {
    /** The operator version the CRDs belong to. */
    readonly chartVersion: pulumi.Output<string>;
    /** The monitoring namespace (created here, used by the Observability component). */
    readonly namespace: k8s.core.v1.Namespace;
    /** The monitoring.coreos.com API group (ServiceMonitor, PodMonitor, Probe, PrometheusRule, ...) and the monitoring namespace. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: PrometheusOperatorCrdsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("platform:addons:PrometheusOperatorCrds", name, {}, opts);
        // node-exporter needs the host's network, PID namespace and filesystem: the namespace is exempt.
        const ns = renderPlatformNamespace(NAMESPACES.monitoring, "privileged");
        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { ...ns.metadata, labels: { ...ns.metadata.labels, ...args.namespaceLabels } } }, { parent: this });
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            releaseArgs("prometheusOperatorCrds", { name: RELEASES.crds, namespace: NAMESPACES.monitoring, values: chartValues("prometheusOperatorCrds", {}) }),
            { parent: this, dependsOn: [this.namespace] },
        );
        this.provides = { [requirement.apiGroup("monitoring.coreos.com")]: [release], [requirement.namespace(NAMESPACES.monitoring)]: [this.namespace] };
        this.chartVersion = pulumi.output(CHARTS.prometheusOperatorCrds.version);
        this.registerOutputs({ chartVersion: this.chartVersion });
    }
}
