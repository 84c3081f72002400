import type { ResourceValidationPolicy } from "@pulumi/policy";
import { K8S_TYPES, specOf } from "../../lib/kubernetes";
import { forTypes } from "../../lib/rule-helpers";
import { asArray, asRecord, asString, asStrings } from "../../lib/values";

/**
 * Ingresses serve named hosts over TLS only: every rule has a host (a host-less rule or a defaultBackend
 * answers for any name pointed at the platform), no wildcard hosts (one tenant would capture another's
 * subdomains), and the TLS section covers every rule host (so the certificate is issued and served).
 */
export const networkIngressTls: ResourceValidationPolicy = {
    name: "network-ingress-tls",
    description: "Ingress rules must each name a non-wildcard host that the Ingress's TLS section covers.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forTypes([K8S_TYPES.ingress], (args, report) => {
        const spec = specOf(args.props);
        if (spec.defaultBackend !== undefined && spec.defaultBackend !== null) {
            report("Ingress sets a defaultBackend, which serves every host");
        }
        const tlsHosts = new Set<string>();
        asArray(spec.tls).forEach((entry, index) => {
            for (const host of asStrings(asRecord(entry)?.hosts)) {
                if (host.includes("*")) {
                    report(`tls entry ${index + 1} names wildcard host "${host}"`);
                }
                tlsHosts.add(host.toLowerCase());
            }
        });
        asArray(spec.rules).forEach((entry, index) => {
            const host = asString(asRecord(entry)?.host);
            if (host === undefined || host.trim() === "") {
                report(`rule ${index + 1} has no host`);
            } else if (host.includes("*")) {
                report(`rule ${index + 1} has wildcard host "${host}"`);
            } else if (!tlsHosts.has(host.toLowerCase())) {
                report(`rule ${index + 1} host "${host}" is not covered by the Ingress's tls hosts`);
            }
        });
    }),
};
