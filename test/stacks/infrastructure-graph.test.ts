import * as fs from "node:fs";
import * as yaml from "js-yaml";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { planNodes } from "../../components/nodes/node-plan";
import { planDir, readPlan, resourcesOfType, STACKS } from "../helpers/plans";
import { stackConfig } from "../helpers/config";

const WORLD = ["0.0.0.0/0", "::/0"];
const NEVER_PUBLIC = [22, 6443, 9345, 10250, 2379, 2380, 8472];

function portCovers(port: string | undefined, target: number): boolean {
    if (port === undefined || port === "any") return true;
    const [lo, hi] = port.split("-").map(Number);
    return target >= lo! && target <= (hi ?? lo!);
}

describe.each(STACKS)("offline plan of stack %s", (stack) => {
    const config = stackConfig(stack);
    const nodes = planNodes(config, stack);
    const plan = readPlan(stack);

    it("exits 0 and registers the whole graph", () => {
        expect(fs.readFileSync(path.join(planDir(stack), "plan-exit-code"), "utf8")).toBe("0");
        expect(plan.resources.length).toBeGreaterThan(50);
        // Every resource but the root stack has a parent: nothing floats outside a component.
        const orphans = plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.parent);
        expect(orphans.map((r) => r.urn)).toEqual([]);
    });

    it("creates one machine per planned node, cloud or bare metal", () => {
        const cloud = resourcesOfType(stack, "hcloud:index/server:Server");
        expect(cloud.map((s) => s.inputs.name).sort()).toEqual(nodes.filter((n) => n.kind === "cloud").map((n) => n.hostname).sort());
        const metal = plan.resources.filter((r) => r.type === "pulumi-nodejs:dynamic:Resource" && "serverNumber" in r.inputs);
        expect(metal.map((m) => m.inputs.serverNumber).sort()).toEqual(nodes.filter((n) => n.kind === "baremetal").map((n) => n.robotServer).sort());
        for (const server of cloud) {
            const spec = nodes.find((n) => n.hostname === server.inputs.name)!;
            expect(server.inputs.serverType).toBe(spec.serverType);
            expect(server.inputs.location).toBe(config.location);
            expect(server.inputs.firewallIds).toHaveLength(1);
            expect(server.inputs.placementGroupId).toBeDefined();
        }
    });

    it("puts edge nodes behind the edge firewall and everything else behind the closed one", () => {
        const firewalls = resourcesOfType(stack, "hcloud:index/firewall:Firewall");
        expect(firewalls).toHaveLength(2);
        for (const firewall of firewalls) {
            for (const rule of firewall.inputs.rules as Array<{ port?: string; protocol: string; sourceIps: string[] }>) {
                const world = rule.sourceIps.some((ip) => WORLD.includes(ip));
                for (const port of NEVER_PUBLIC) {
                    expect(world && rule.protocol !== "icmp" && portCovers(rule.port, port), `${firewall.name} opens ${port}`).toBe(false);
                }
            }
        }
        const edgeFw = firewalls.find((f) => f.name.endsWith("edge-fw"))!;
        const publicPorts = (edgeFw.inputs.rules as Array<{ port?: string; protocol: string }>).filter((r) => r.port).map((r) => `${r.port}/${r.protocol}`).sort();
        // HTTP(S), Tailscale, and the public TCP/UDP entry points the stack grants to projects (written out per stack).
        const granted: Record<string, string[]> = { dev: [], fsn1: ["18333/tcp", "30303/tcp", "30303/udp"], hel1: ["18333/tcp", "30303/tcp", "30303/udp"] };
        expect(publicPorts).toEqual(["41641/udp", "443/tcp", "80/tcp", ...(granted[stack] ?? [])].sort());
        const nodeFw = firewalls.find((f) => f.name.endsWith("node-fw"))!;
        expect((nodeFw.inputs.rules as Array<{ port?: string }>).map((r) => r.port).filter(Boolean)).toEqual(["41641"]);
    });

    it("mints one tagged, single-use, pre-authorized, short-lived tailnet key per node, marked secret", () => {
        const keys = resourcesOfType(stack, "tailscale:index/tailnetKey:TailnetKey");
        expect(keys).toHaveLength(nodes.length);
        for (const node of nodes) {
            const key = keys.find((k) => k.name === `${node.id}-authkey`)!;
            expect(key.inputs.tags).toEqual([`tag:${stack}-${node.role}`]);
            expect(key.inputs).toMatchObject({ reusable: false, preauthorized: true, ephemeral: false, expiry: config.mesh.authKeyExpirySeconds });
            // An expired, never used key (a failed first up retried after the expiry) is minted again.
            expect(key.inputs.recreateIfInvalid).toBe("always");
            expect(key.additionalSecretOutputs).toContain("key");
        }
    });

    it("registers the tailnet policy only on the owner stack, holding every shipped stack's node tags", () => {
        const acls = resourcesOfType(stack, "tailscale:index/acl:Acl");
        expect(acls).toHaveLength(config.mesh.manageAcl ? 1 : 0);
        expect(config.mesh.manageAcl).toBe(stack === "fsn1");
        for (const acl of acls) {
            // Destroying the owner's Acl (ownership moved) must not reset the tailnet to the allow-all default.
            expect(acl.inputs).toMatchObject({ overwriteExistingContent: true, resetAclOnDestroy: false });
            const tagOwners = Object.keys(JSON.parse(acl.inputs.acl as string).tagOwners);
            for (const other of STACKS) {
                expect(tagOwners).toEqual(expect.arrayContaining([`tag:${other}-server`, `tag:${other}-agent`, `tag:${other}-edge`]));
            }
        }
    });

    it("renders labels and taints per pool into each node's k3s config", () => {
        const cloud = resourcesOfType(stack, "hcloud:index/server:Server");
        expect(cloud.every((s) => s.secretInputs.includes("userData"))).toBe(true);
        const userDataDir = path.join(planDir(stack), "artifacts", "user-data");
        for (const node of nodes) {
            const file = fs.readdirSync(userDataDir).find((f) => f.startsWith(`${node.id}.`))!;
            const doc = yaml.load(fs.readFileSync(path.join(userDataDir, file), "utf8")) as { write_files: Array<{ path: string; content: string }> };
            const k3s = yaml.load(doc.write_files.find((f) => f.path === "/etc/rancher/k3s/config.yaml")!.content) as Record<string, unknown>;
            expect(k3s["node-label"]).toContain(`platform/pool=${node.pool}`);
            expect(k3s["node-taint"] ?? []).toEqual(node.taints);
            // Rootless BuildKit's user namespaces are allowed on the build pool only (components/nodes/cloud-init.ts).
            const relaxed = doc.write_files.some((f) => f.content.includes("kernel.apparmor_restrict_unprivileged_userns=0"));
            expect(relaxed, node.id).toBe(node.pool === "build");
        }
    });

    it("starts k3s on every node over the tailnet with the token only on stdin", () => {
        const commands = resourcesOfType(stack, "command:remote:Command");
        for (const node of nodes) {
            const start = commands.find((c) => c.name === `${node.id}-k3s-start`)!;
            // @pulumi/command secrets the whole connection (it carries the private key).
            expect(start.inputs.connection).toBe("[secret]");
            expect(start.secretInputs).toEqual(expect.arrayContaining(["stdin", "connection"]));
            expect(start.inputs.stdin).toBe("[secret]");
        }
        const hosts = plan.outputs.sshTargets as Record<string, string>;
        // Read back from the (mock) tailnet, which gives every node the name it asked for.
        expect(hosts).toEqual(Object.fromEntries(nodes.map((n) => [n.hostname, `${n.hostname}.${config.mesh.magicDnsSuffix}`])));
        const kubeconfig = commands.find((c) => c.name === "k3s-kubeconfig")!;
        expect(kubeconfig.additionalSecretOutputs).toContain("stdout");
    });

    it("outputs the kubeconfig as a secret and builds the provider with a cluster identifier", () => {
        expect(plan.outputs.kubeconfig).toBe("[secret]");
        const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        expect(provider.inputs.clusterIdentifier).toBe(`platform-${stack}`);
        expect(provider.secretInputs).toContain("kubeconfig");
        expect((plan.outputs.publicIps as string[]).length).toBe(config.edge.floatingIps);
    });

    it("joins servers one after another and agents beside them (the platform's server CA pins their tokens)", () => {
        const commands = resourcesOfType(stack, "command:remote:Command");
        const urnOf = (host: string) => commands.find((c) => c.name === `${host}-k3s-start`)!.urn;
        const servers = nodes.filter((n) => n.role === "server");
        servers.slice(1).forEach((server, i) => {
            const start = commands.find((c) => c.name === `${server.id}-k3s-start`)!;
            expect(start.dependencies).toContain(urnOf(servers[i]!.id));
        });
        const starts = new Set(servers.map((s) => urnOf(s.id)));
        for (const agent of nodes.filter((n) => n.role !== "server")) {
            // An agent waits for a server to answer in its own start script, not for a start command.
            expect(commands.find((c) => c.name === `${agent.id}-k3s-start`)!.dependencies.filter((d) => starts.has(d))).toEqual([]);
        }
    });
});
