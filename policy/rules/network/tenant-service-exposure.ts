import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { K8S_TYPES, namespaceOf, specOf } from "../../lib/kubernetes";
import { forTenantObjects } from "../../lib/rule-helpers";
import { asArray } from "../../lib/values";
import { FORBIDDEN_TENANT_SERVICE_TYPES, SERVICE_NATIVE_LB_ANNOTATION } from "../../lib/catalogue";

/**
 * Tenant Services stay inside the cluster: no NodePort or LoadBalancer (a port on every node, an address of
 * the platform's pool), no ExternalName (an in-cluster alias for any outside name, which Traefik would proxy
 * to), no externalIPs (traffic for any address can be hijacked, CVE-2020-8554) and no Traefik `nativelb`
 * annotation (its HTTP egress would be billed twice: at Traefik and by the edge meter). Tenants
 * are published through the platform's Ingress; platform namespaces (Traefik's LoadBalancer) are exempt.
 */
export const networkTenantServiceExposure: ResourceValidationPolicy = {
    name: "network-tenant-service-exposure",
    description: "Tenant Services must not be NodePort, LoadBalancer or ExternalName, set externalIPs or Traefik's nativelb annotation.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces"),
    validateResource: forTenantObjects([K8S_TYPES.service], (args, report) => {
        const namespace = namespaceOf(args.props);
        const spec = specOf(args.props);
        if (typeof spec.type === "string" && FORBIDDEN_TENANT_SERVICE_TYPES.includes(spec.type)) {
            report(`Service in namespace "${namespace}" has type ${spec.type}`);
        }
        const externalIPs = asArray(spec.externalIPs);
        if (externalIPs.length > 0) {
            report(`Service in namespace "${namespace}" sets externalIPs ${externalIPs.map(String).join(", ")}`);
        }
        const annotations = ((args.props.metadata as Record<string, unknown> | undefined)?.annotations ?? {}) as Record<string, unknown>;
        if (SERVICE_NATIVE_LB_ANNOTATION in annotations) {
            report(`Service in namespace "${namespace}" sets ${SERVICE_NATIVE_LB_ANNOTATION}: HTTP egress is metered at Traefik, through the ClusterIP the edge meter would bill it twice`);
        }
    }),
};
