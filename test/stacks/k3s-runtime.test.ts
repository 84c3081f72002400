import { describe, expect, it } from "vitest";
import { planNodes } from "../../components/nodes/node-plan";
import { START_DEADLINES } from "../../components/cluster/k3s-join";
import { readPlan, STACKS, type WrittenResource } from "../helpers/plans";
import { stackConfig } from "../helpers/config";

/** How the cluster comes up and stays in shape, checked in each shipped stack's synthesized plan. */
describe.each(STACKS)("k3s runtime in stack %s", (stack) => {
    const plan = readPlan(stack);
    const config = stackConfig(stack);
    const nodes = planNodes(config, stack);
    const byName = (name: string): WrittenResource => {
        const found = plan.resources.filter((r) => r.name === name);
        expect(found, name).toHaveLength(1);
        return found[0]!;
    };
    const nameOf = (urn: string) => plan.resources.find((r) => r.urn === urn)?.name ?? urn;
    const dependsOn = (resource: WrittenResource) => resource.dependencies.map(nameOf);
    const minutes = (duration: string | undefined) => Number(/^(\d+)m$/.exec(duration ?? "")?.[1] ?? NaN);

    it("bounds every k3s start command with customTimeouts beyond the script's own deadlines", () => {
        const scriptMinutes = (START_DEADLINES.cloudInitSeconds + START_DEADLINES.k3sReadySeconds) / 60;
        const timeoutOf = (kind: "cloud" | "baremetal") => nodes.filter((n) => n.kind === kind).map((n) => minutes(byName(`${n.id}-k3s-start`).customTimeouts?.create));
        for (const node of nodes) {
            const start = byName(`${node.id}-k3s-start`);
            expect(minutes(start.customTimeouts?.create), node.hostname).toBeGreaterThan(scriptMinutes);
            expect(start.customTimeouts?.update).toBe(start.customTimeouts?.create);
        }
        // Bare metal dials SSH for longer (installimage, reboot): its bound is longer too.
        if (timeoutOf("baremetal").length > 0 && timeoutOf("cloud").length > 0) {
            expect(Math.min(...timeoutOf("baremetal"))).toBeGreaterThan(Math.max(...timeoutOf("cloud")));
        }
    });

    it("pins the platform's server CA: installed on the bootstrapping server before k3s starts, its hash in every joiner's token, agents beside the servers", () => {
        expect(plan.resources.some((r) => r.name === "k3s-full-token")).toBe(false);
        const key = byName("k3s-server-ca-key");
        expect(key.additionalSecretOutputs).toContain("privateKeyPem");
        expect(byName("k3s-server-ca").inputs.isCaCertificate).toBe(true);
        const install = byName("k3s-server-ca-install");
        expect(install.secretInputs).toContain("stdin");
        expect(install.additionalSecretOutputs).toContain("stdin");
        // The hash the CA install checks is the one every joiner's script pins (the tokens are secret here; the
        // bytes behind the hash: test/components/cluster/k3s-cluster-ca.component.test.ts).
        const hash = /present\}" != "([0-9a-f]{64})"/.exec(String(install.inputs.create))![1]!;
        const [first, ...joiners] = nodes;
        expect(dependsOn(byName(`${first!.id}-k3s-start`))).toContain("k3s-server-ca-install");
        const servers = nodes.filter((n) => n.role === "server");
        for (const node of joiners) {
            const start = byName(`${node.id}-k3s-start`);
            expect(start.secretInputs, node.hostname).toContain("stdin");
            expect(String(start.inputs.create), node.hostname).toContain(`!= "${hash}"`);
            const startsWaited = dependsOn(start).filter((d) => d.endsWith("-k3s-start"));
            // A joining server waits for the one before it (etcd membership changes stay serial); an agent for none.
            expect(startsWaited, node.hostname).toEqual(node.role === "server" ? [`${servers[servers.indexOf(node) - 1]!.id}-k3s-start`] : []);
            if (node.role !== "server") {
                // ...but for the bootstrapping server's machine, and its engine bound covers the wait for that server.
                expect(dependsOn(start), node.hostname).toContain(first!.id);
                expect(minutes(start.customTimeouts?.create), node.hostname).toBeGreaterThan((START_DEADLINES.cloudInitSeconds + 2 * START_DEADLINES.k3sReadySeconds) / 60);
            }
        }
    });

    it("reads the kubeconfig once the first server runs, not after the other servers' joins", () => {
        const [first] = nodes;
        expect(dependsOn(byName("k3s-kubeconfig")).filter((d) => d.endsWith("-k3s-start"))).toEqual([`${first!.id}-k3s-start`]);
    });

    it("reconciles each node's labels and taints after its start, re-run when they change", () => {
        for (const node of nodes) {
            const labels = byName(`node-pools-${node.hostname}-labels`);
            expect(dependsOn(labels)).toContain(`${node.id}-k3s-start`);
            expect(labels.inputs.triggers).toEqual([JSON.stringify(node.labels), JSON.stringify(node.taints)]);
            expect(labels.customTimeouts?.create).toMatch(/^\d+m$/);
        }
    });

    it("waits, bounded, for each pool's nodes before the add-ons that schedule on them", () => {
        const pools = [...new Set(nodes.map((n) => n.pool))];
        for (const pool of pools) {
            const wait = byName(`node-pools-${pool}-ready`);
            const members = nodes.filter((n) => n.pool === pool);
            expect(wait.inputs.create).toContain(`-ge ${members.length}`);
            expect(dependsOn(wait)).toEqual(expect.arrayContaining(members.map((n) => `node-pools-${n.hostname}-labels`)));
            expect(dependsOn(wait).filter((d) => d.startsWith("node-pools-"))).toHaveLength(members.length);
            expect(minutes(wait.customTimeouts?.create)).toBeGreaterThan(0);
        }
        // A component's dependsOn holds back its children: the engine returns the component's URN, which
        // every child needs, only once those dependencies completed.
        const addon = (name: string) => dependsOn(byName(name));
        if (pools.includes("edge")) {
            expect(addon("metallb")).toContain("node-pools-edge-ready");
            expect(addon("traefik")).toContain("node-pools-edge-ready");
        }
        // Observability's Deployments and StatefulSets schedule on untainted nodes: those pools first. Its DaemonSets
        // (node-exporter, Alloy) and kured's tolerate every taint and follow nodes that register later; Longhorn
        // follows its storage nodes' label patches (test/stacks/dependency-graph.test.ts checks both reasons).
        const untaintedPools = [...new Set(nodes.filter((n) => n.taints.length === 0).map((n) => n.pool))];
        expect(addon("observability").filter((d) => /^node-pools-.+-ready$/.test(d)).sort()).toEqual(untaintedPools.map((p) => `node-pools-${p}-ready`).sort());
        expect(addon("node-reboots").filter((d) => d.startsWith("node-pools-"))).toEqual([]);
        expect(addon("longhorn").filter((d) => d.startsWith("node-pools-"))).toEqual([]);
    });

    it("approves kubelet serving certificates, which every node requests, for exactly the stack's nodes", () => {
        const start = byName(`${nodes[0]!.id}-k3s-start`);
        expect(start).toBeDefined();
        const approver = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "kubelet-csr-approver");
        expect(approver, "rotate-server-certificates=true without an approver breaks logs/exec/port-forward").toBeDefined();
        expect(approver!.inputs.values.providerRegex).toBe(`^(${nodes.map((n) => n.hostname).sort().join("|")})$`);
        expect(dependsOn(byName("kubelet-csr-approver"))).toContain("node-pools-server-ready");
    });

    it("registers the new components with their type tokens and every command under them", () => {
        for (const [name, type] of [["node-pools", "platform:cluster:NodePools"], ["floating-ip-binding", "platform:nodes:FloatingIpBinding"], ["kubelet-csr-approver", "platform:addons:KubeletCsrApprover"]] as const) {
            const component = byName(name);
            expect(component.type).toBe(type);
            const children = plan.resources.filter((r) => r.parent === component.urn);
            expect(children.every((c) => c.name.startsWith(`${name}-`)), name).toBe(true);
            expect(plan.resources.filter((r) => r.name.startsWith(`${name}-`) && r.parent !== component.urn).map((r) => r.name)).toEqual([]);
        }
    });

    it("binds the floating IPs on every cloud edge node once it runs", () => {
        const edges = nodes.filter((n) => n.role === "edge" && n.kind === "cloud");
        const bindings = plan.resources.filter((r) => r.type === "command:remote:Command" && r.name.startsWith("floating-ip-binding-"));
        expect(bindings.map((b) => b.name).sort()).toEqual(edges.map((n) => `floating-ip-binding-${n.hostname}`).sort());
        for (const binding of bindings) {
            const node = edges.find((n) => binding.name === `floating-ip-binding-${n.hostname}`)!;
            expect(dependsOn(binding)).toContain(`${node.id}-k3s-start`);
            expect(binding.inputs.create).toMatch(/ip addr replace "\$\{ip\}\/32"/);
            expect(dependsOn(binding)).toEqual(expect.arrayContaining(Array.from({ length: config.edge.floatingIps }, (_, i) => `nodes-entry-${i}`)));
        }
    });
});
