import * as yaml from "js-yaml";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { LABELS, NAMESPACES, PLATFORM_REGISTRY } from "../../lib/conventions";
import { registryClusterIp } from "../../lib/registry";

/** Where k3s reads its containerd registry configuration (k3s docs "Private Registry Configuration"). */
export const REGISTRIES_PATH = "/etc/rancher/k3s/registries.yaml";

/**
 * `/etc/rancher/k3s/registries.yaml` of every node: the platform registry's name is mirrored to its fixed
 * ClusterIP over plain HTTP (kube-proxy routes ClusterIPs from the host network too). No credentials: a node-wide
 * credential would let any pod on the node pull any project's image; each pod brings its project's pull Secret.
 */
export function renderRegistriesYaml(serviceCidr: string): string {
    const document = { mirrors: { [PLATFORM_REGISTRY.host]: { endpoint: [`http://${registryClusterIp(serviceCidr)}`] } } };
    return `# Rendered by components/registry/node-registries.ts.\n${yaml.dump(document, { lineWidth: -1 })}`;
}

/** Name of k3s' CoreDNS customization ConfigMap (k3s imports its `*.override` keys into the main server block). */
export const COREDNS_CUSTOM = "coredns-custom";

/** The CoreDNS override that resolves the registry's name to its ClusterIP for pods (build pushes, the configurator). */
export function renderCorednsOverride(serviceCidr: string): IConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: COREDNS_CUSTOM, namespace: NAMESPACES.kubeSystem, labels: { [LABELS.managedBy]: "pulumi" } },
        data: { "registry.override": `hosts {\n  ${registryClusterIp(serviceCidr)} ${PLATFORM_REGISTRY.host}\n  fallthrough\n}\n` },
    };
}
