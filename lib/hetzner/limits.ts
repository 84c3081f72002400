/**
 * Hard limits of the Hetzner APIs that a stack config can exceed. Checked while the config is validated, so an
 * over-limit stack fails before anything is registered instead of halfway through `pulumi up`.
 */

/**
 * Rule entries one Hetzner Cloud firewall holds. Source: the Cloud API reference of
 * `POST /firewalls/{id}/actions/set_rules` ("Rules are limited to 50 entries per Firewall and 500 effective
 * rules", docs.hetzner.cloud) — the entry limit is the one the edge firewall's one-rule-per-port layout meets first.
 */
export const HCLOUD_FIREWALL_MAX_RULES = 50;

/**
 * Rules the edge firewall holds before any granted public port: Tailscale UDP, ICMP, HTTP and HTTPS
 * (components/nodes/firewall-rules.ts renderFirewallRules; test/components/nodes/firewall-rules.test.ts keeps
 * the two in step).
 */
export const EDGE_FIREWALL_BASE_RULES = 4;
