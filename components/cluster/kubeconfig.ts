import * as yaml from "js-yaml";

/** A kubeconfig as far as this module reads and writes it. */
interface Kubeconfig {
    clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
    contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
    "current-context": string;
    users: Array<{ name: string; user: Record<string, unknown> }>;
    [key: string]: unknown;
}

/**
 * Adds one cluster entry and context per further server to a kubeconfig already pointed at the first
 * server (`<clusterName>`): `<clusterName>-<server hostname>` reaches the same cluster through that
 * server, with the same CA and credentials. kubectl does not fail over between servers, so when the first
 * server is gone, `kubectl --context <clusterName>-<other server>` still works. The current context stays
 * the first server's.
 */
export function withServerContexts(kubeconfig: string, clusterName: string, servers: ReadonlyArray<{ hostname: string; tailnetName: string }>): string {
    const doc = yaml.load(kubeconfig) as Kubeconfig;
    const base = doc.clusters.find((c) => c.name === clusterName);
    const context = doc.contexts.find((c) => c.name === clusterName);
    if (!base || !context) {
        throw new Error(`kubeconfig has no cluster and context named ${clusterName}`);
    }
    for (const server of servers) {
        const name = `${clusterName}-${server.hostname}`;
        doc.clusters.push({ name, cluster: { ...base.cluster, server: `https://${server.tailnetName}:6443` } });
        doc.contexts.push({ name, context: { cluster: name, user: context.context.user } });
    }
    return yaml.dump(doc, { lineWidth: -1, noRefs: true });
}
