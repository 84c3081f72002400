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
 *
 * The endpoint is an IP literal on purpose: the host resolver knows no `registry.platform.internal` (cloud-init's
 * `manage_etc_hosts` rewrites /etc/hosts at every boot, and only pods use CoreDNS). Harbor's Bearer challenge names
 * the token realm after the Host header of the request (goharbor/harbor v2.15.1
 * src/server/middleware/v2auth/auth.go `tokenSvcURL`; the chart's nginx passes `Host $http_host` on `/v2/`), so
 * containerd, which asks `http://<ClusterIP>/v2/...`, is sent to `http://<ClusterIP>/service/token`: no name to
 * resolve. {@link mirrorEndpointHosts} lets tests hold that.
 */
export function renderRegistriesYaml(serviceCidr: string): string {
    const document = { mirrors: { [PLATFORM_REGISTRY.host]: { endpoint: [`http://${registryClusterIp(serviceCidr)}`] } } };
    return `# Rendered by components/registry/node-registries.ts.\n${yaml.dump(document, { lineWidth: -1 })}`;
}

/** The hosts (`host[:port]`) containerd sends its requests, and so Harbor's token realm, to, per mirrored name. */
export function mirrorEndpointHosts(registriesYaml: string): Record<string, string[]> {
    const document = yaml.load(registriesYaml) as { mirrors?: Record<string, { endpoint?: string[] }> };
    return Object.fromEntries(Object.entries(document.mirrors ?? {}).map(([name, mirror]) => [name, (mirror.endpoint ?? []).map((endpoint) => new URL(endpoint).host)]));
}

/** Name of k3s' CoreDNS customization ConfigMap (k3s mounts it at /etc/coredns/custom, one file per key). */
export const COREDNS_CUSTOM = "coredns-custom";

/**
 * Key of the registry's server block in {@link COREDNS_CUSTOM}. k3s' Corefile (k3s-io/k3s#4397) imports
 * `*.override` files *inside* its `.:53` block, which already holds `hosts /etc/coredns/NodeHosts`; a second
 * `hosts` there is refused (coredns plugin/hosts/setup.go returns `plugin.ErrOnce`), and CoreDNS refuses the whole
 * Corefile. `*.server` files are imported at the top level: a server block of its own for the registry's zone
 * shares no plugin with k3s' block.
 */
export const COREDNS_REGISTRY_KEY = "registry.server";

/**
 * The CoreDNS server block that resolves the registry's name to its ClusterIP for pods (build pushes): a zone of
 * its own on port 53, answered from an inline `hosts` table; any other name in the zone is NXDOMAIN, an AAAA query
 * for the name is an empty answer (hosts knows the name).
 */
export function renderCorednsServerBlock(serviceCidr: string): string {
    return `${PLATFORM_REGISTRY.host}:53 {
    errors
    hosts {
        ${registryClusterIp(serviceCidr)} ${PLATFORM_REGISTRY.host}
        ttl 60
    }
}
`;
}

/** The `coredns-custom` ConfigMap with the registry's server block. */
export function renderCorednsCustom(serviceCidr: string): IConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: COREDNS_CUSTOM, namespace: NAMESPACES.kubeSystem, labels: { [LABELS.managedBy]: "pulumi" } },
        data: { [COREDNS_REGISTRY_KEY]: renderCorednsServerBlock(serviceCidr) },
    };
}
