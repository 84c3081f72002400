import type { StackValidationPolicy } from "@pulumi/policy";
import { NAMESPACE_GRANT_ANNOTATIONS } from "../../../lib/conventions";
import { annotationList, ingressEntryPointProblems, ingressHostProblems, traefikRouteProblems, type HostGrants } from "../../lib/catalogue";
import { configSchemaFor } from "../../lib/config";
import { K8S_TYPES, namespaceOf, specOf } from "../../lib/kubernetes";
import type { NamespaceInfo } from "../../lib/namespaces";
import { forTenantNamespaces } from "../../lib/rule-helpers";
import { whenKnown } from "../../lib/values";

/** Traefik route kinds in either API group Traefik has served them from. */
const TRAEFIK_ROUTE_TYPE = /^kubernetes:traefik\.(io|containo\.us)\/v1alpha1:(IngressRoute|IngressRouteTCP|IngressRouteUDP)$/;

/** The grants a tenant namespace's annotations state. */
export function grantsOf(namespace: NamespaceInfo): HostGrants {
    const a = namespace.annotations;
    return {
        hostSuffix: a[NAMESPACE_GRANT_ANNOTATIONS.hostSuffix] ?? "",
        customHosts: annotationList(a[NAMESPACE_GRANT_ANNOTATIONS.customHosts]),
        tcpEntryPoints: annotationList(a[NAMESPACE_GRANT_ANNOTATIONS.tcpEntryPoints]),
        udpEntryPoints: annotationList(a[NAMESPACE_GRANT_ANNOTATIONS.udpEntryPoints]),
    };
}

/**
 * A tenant routes only its own hosts: Ingress hosts and Traefik route matchers stay inside the host space its
 * namespace was granted (`*.<project>.<domain>` and its granted custom domains), TCP/UDP routes only on entry
 * points granted to it, an Ingress only on the web entry points, and TCP/UDP backends dialled through their
 * ClusterIP (`nativeLB`, which the edge meter bills) while HTTP backends are not (Traefik meters them). Otherwise
 * one tenant could take another's (or the platform's) host and get a certificate for it, or send unbilled egress. The admission policy `platform-tenant-routes` enforces the same in the cluster.
 */
export const networkTenantHostSpace: StackValidationPolicy = {
    name: "network-tenant-host-space",
    description: "Tenant Ingresses and Traefik routes may only name the project's own hosts and granted entry points.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: configSchemaFor("platformNamespaces"),
    validateStack: forTenantNamespaces(({ resources, tenants }, report) => {
        const byName = new Map(tenants.map((t) => [t.name, t]));
        for (const resource of resources) {
            const route = TRAEFIK_ROUTE_TYPE.exec(resource.type);
            if (resource.type !== K8S_TYPES.ingress && !route) {
                continue;
            }
            const problems = whenKnown(() => {
                const namespace = byName.get(namespaceOf(resource.props));
                if (!namespace) {
                    return [];
                }
                const spec = specOf(resource.props);
                return route
                    ? traefikRouteProblems(route[2]!, spec, grantsOf(namespace))
                    : [...ingressHostProblems(spec, grantsOf(namespace)), ...ingressEntryPointProblems(resource.props.metadata as Record<string, unknown> | undefined)];
            }, [] as string[]);
            for (const problem of problems) {
                report(problem, resource.urn);
            }
        }
    }),
};
