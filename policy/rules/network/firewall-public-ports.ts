import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, packConfig } from "../../lib/config";
import { HCLOUD_FIREWALL_TYPE, describeRule, firewallRulesInputOf, inboundRulesOf, isFirewallCarrier, isOpenToWorld, parseAllowedPublicPorts, publicExposureProblem } from "../../lib/firewall";
import { forTypes } from "../../lib/rule-helpers";

/**
 * Firewalls open only the allowed public ports to 0.0.0.0/0 or ::/0 (config `allowedPublicPorts`; default
 * 80, 443 and Tailscale's 41641/udp; ICMP always): anything else published to the Internet is a mistake
 * until someone lists it.
 */
export const networkFirewallPublicPorts: ResourceValidationPolicy = {
    name: "network-firewall-public-ports",
    description: "Firewalls may open only the allowed public ports to the Internet.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("allowedPublicPorts"),
    validateResource: forTypes({ byTypeAndProps: isFirewallCarrier }, (args, report) => {
        const allowed = parseAllowedPublicPorts(packConfig(args).allowedPublicPorts);
        const where = args.type === HCLOUD_FIREWALL_TYPE ? "firewall" : "bare-metal firewall";
        for (const rule of inboundRulesOf(firewallRulesInputOf(args.type, args.props)).filter(isOpenToWorld)) {
            const problem = publicExposureProblem(rule, allowed);
            if (problem) {
                report(`${where} ${describeRule(rule)} ${problem} to the Internet, which allowedPublicPorts does not list`);
            }
        }
    }),
};
