import { describe, expect, it } from "vitest";
import type { PlannedResource } from "../../tools/offline/plan-types";
import { renderK3sConfig } from "../../components/cluster/k3s-config";
import { renderUserData } from "../../components/nodes/cloud-init";
import { renderFirewallRules } from "../../components/nodes/firewall-rules";
import { planNodes } from "../../components/nodes/node-plan";
import { nodeTag, renderTailnetPolicy } from "../../components/mesh/acl";
import { readStackMeshDeclarations } from "../../lib/config/tailnet-stacks";
import { ROOT } from "../helpers/synth";
import { renderRuntimeClass } from "../../components/project/sandbox-policy";
import { everyExample, TENANT_STACKS } from "../components/project/fixtures";
import { stackConfig } from "../helpers/config";
import { planned } from "../helpers/policy-fixtures";
import { evaluatePolicyReport } from "../../policy/offline";

/**
 * The pack against what the platform's own renderers produce (node user-data and k3s configs, firewall rules,
 * the tailnet policy, every example tenant's objects), wrapped as the components register them. A rule the
 * platform cannot satisfy would block every real deployment; this keeps the pack and the renderers in step.
 * (The full program's plan is evaluated by `npm run plan`, which writes out/<stack>/policy.json.)
 */

const typeOf = (object: { apiVersion: string; kind: string }) => `kubernetes:${object.apiVersion.includes("/") ? object.apiVersion : `core/${object.apiVersion}`}:${object.kind}`;

function renderedStack(stack: string): PlannedResource[] {
    const config = stackConfig(stack);
    const resources: PlannedResource[] = [
        planned("hcloud:index/firewall:Firewall", "nodes-edge-fw", { rules: renderFirewallRules(true) }),
        planned("hcloud:index/firewall:Firewall", "nodes-node-fw", { rules: renderFirewallRules(false) }),
        // The one policy document, rendered from every shipped stack file, as the owner stack registers it.
        planned(
            "tailscale:index/acl:Acl",
            "mesh-policy",
            { acl: JSON.stringify(renderTailnetPolicy(readStackMeshDeclarations(ROOT).declarations), null, 2), overwriteExistingContent: true },
            { urn: `urn:pulumi:${stack}::platform::tailscale:index/acl:Acl::mesh-policy` },
        ),
    ];
    for (const node of planNodes(config, stack)) {
        const userData = renderUserData({
            hostname: node.hostname,
            tag: nodeTag(stack, node.role),
            k3sRole: node.role === "server" ? "server" : "agent",
            k3sVersion: config.cluster.k3sVersion,
            gvisor: node.labels["platform/gvisor"] === "true",
            k3sConfig: renderK3sConfig({ node, config }),
            tailscaleAuthKey: "tskey-auth-test",
            sshAuthorizedKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAtest root@test",
        });
        resources.push(
            planned(
                "tailscale:index/tailnetKey:TailnetKey",
                `${node.hostname}-authkey`,
                { tags: [nodeTag(stack, node.role)], reusable: false, ephemeral: false, preauthorized: true, expiry: config.mesh.authKeyExpirySeconds },
                { additionalSecretOutputs: ["key"], urn: `urn:pulumi:${stack}::platform::tailscale:index/tailnetKey:TailnetKey::${node.hostname}-authkey` },
            ),
        );
        resources.push(
            node.kind === "cloud"
                ? planned("hcloud:index/server:Server", node.hostname, { firewallIds: [1], userData }, { secretInputs: ["userData"] })
                : planned("pulumi-nodejs:dynamic:Resource", node.hostname, { serverNumber: node.robotServer, userData, firewall: renderFirewallRules(false) }, { secretInputs: ["userData"] }),
        );
    }
    const runtimeClass = renderRuntimeClass();
    resources.push(planned(typeOf(runtimeClass), "sandbox-runtimeclass", runtimeClass as unknown as Record<string, unknown>));
    for (const example of everyExample().filter((e) => e.stack === stack)) {
        for (const object of example.objects) {
            const name = `${example.spec.name}-${object.kind.toLowerCase()}-${object.metadata?.namespace ?? ""}-${object.metadata?.name ?? ""}`;
            const secret = object.kind === "Secret" ? { additionalSecretOutputs: ["data", "stringData"], secretInputs: ["stringData"] } : {};
            resources.push(planned(typeOf(object), name, object as unknown as Record<string, unknown>, secret));
        }
    }
    return resources;
}

describe.each(TENANT_STACKS)("the platform's rendered %s stack", (stack) => {
    const resources = renderedStack(stack);
    const report = evaluatePolicyReport(resources);

    it("has no mandatory violation", () => {
        expect(report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    });

    it("reports only hygiene advisories (digests, liveness probes tenants did not declare)", () => {
        // The BuildKit container of a build keeps a writable root like upstream's rootless examples (advisory).
        const buildRoot = (v: { policy: string; message: string; name?: string }) => v.policy === "workload-read-only-root-filesystem" && /-job-builds-build-/.test(v.name ?? "") && v.message.includes('"buildkit"');
        expect([...new Set(report.violations.filter((v) => !buildRoot(v)).map((v) => v.policy))].filter((p) => !["workload-image-digest", "workload-probes"].includes(p))).toEqual([]);
    });

    it("actually inspected every node's k3s config, the tenants and the firewalls", () => {
        const notApplicable = (policy: string, urn?: string) => report.notApplicable.some((n) => n.policy === policy && (urn === undefined || n.urn === urn));
        const nodes = resources.filter((r) => typeof r.inputs.userData === "string");
        expect(nodes.length).toBeGreaterThan(1);
        for (const node of nodes) {
            expect(notApplicable("cluster-k3s-kubelet-hardening", node.urn), node.name).toBe(false);
        }
        const servers = nodes.filter((n) => n.name.includes("-server-"));
        expect(servers.length).toBeGreaterThan(0);
        for (const server of servers) {
            for (const policy of ["cluster-k3s-secrets-encryption", "cluster-k3s-admission-config", "cluster-k3s-audit-log", "cluster-k3s-anonymous-auth", "cluster-k3s-etcd-snapshots"]) {
                expect(notApplicable(policy, server.urn), `${policy} on ${server.name}`).toBe(false);
            }
        }
        for (const agent of nodes.filter((n) => !n.name.includes("-server-"))) {
            expect(notApplicable("cluster-k3s-secrets-encryption", agent.urn), agent.name).toBe(true);
        }
        for (const policy of ["tenancy-default-deny-network-policy", "tenancy-resource-quota", "tenancy-untrusted-gvisor", "network-server-firewall"]) {
            expect(notApplicable(policy), policy).toBe(false);
        }
    });
});
