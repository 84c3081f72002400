import type { ResourceValidationPolicy } from "@pulumi/policy";
import { HCLOUD_FIREWALL_TYPE, describeRule, describeSensitivePort, firewallRulesInputOf, inboundRulesOf, isFirewallCarrier, isOpenToWorld, sensitivePortsOpenedBy } from "../../lib/firewall";
import { forTypes } from "../../lib/rule-helpers";

/**
 * Firewalls never open SSH (22), the Kubernetes API (6443), kubelet (10250), etcd (2379-2380) or flannel
 * VXLAN (8472/udp) to 0.0.0.0/0 or ::/0, whether by naming the port, by a range around it or by `any`: these
 * travel inside the tailnet. Checked on hcloud Firewalls and on bare-metal servers' Robot firewall rules.
 */
export const networkFirewallSensitivePorts: ResourceValidationPolicy = {
    name: "network-firewall-sensitive-ports",
    description: "Firewalls must not open SSH, Kubernetes API, kubelet, etcd or flannel ports to the Internet.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: forTypes({ byTypeAndProps: isFirewallCarrier }, (args, report) => {
        const where = args.type === HCLOUD_FIREWALL_TYPE ? "firewall" : "bare-metal firewall";
        for (const rule of inboundRulesOf(firewallRulesInputOf(args.type, args.props)).filter(isOpenToWorld)) {
            const opened = sensitivePortsOpenedBy(rule);
            if (opened.length > 0) {
                report(`${where} ${describeRule(rule)} opens ${opened.map(describeSensitivePort).join(", ")} to the Internet`);
            }
        }
    }),
};
