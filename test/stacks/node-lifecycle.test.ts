import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { comparePlans, disruptedNodes } from "../../tools/offline/plan-diff";
import { planNodes } from "../../components/nodes/node-plan";
import { readPlatformPlan as readPlan, type WrittenResource } from "../helpers/plans";
import { stackConfig } from "../helpers/config";
import { ROOT, runPlan } from "../helpers/synth";

/**
 * Day-2 node changes, proven on the offline plans of the shipped stacks before and after a config change:
 * a generation bump replaces exactly one node's key, machine and join; a server-type or disk-layout change
 * is named node by node (and refused by each node's guard without platform:allowDisruptive).
 */

type StackDoc = { config: Record<string, any> };
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "node-lifecycle-"));

function stackDoc(stack: string): StackDoc {
    return yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as StackDoc;
}

/** Plans `stack` with its shipped config changed by `edit`; returns the written resources. */
async function planChanged(label: string, stack: string, edit: (config: Record<string, any>) => void): Promise<WrittenResource[]> {
    const doc = stackDoc(stack);
    edit(doc.config);
    const dir = path.join(scratch, label);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, yaml.dump(doc));
    const run = await runPlan(stack, { outDir: path.join(dir, "out"), configFile: file });
    expect(run.code, run.stderr || run.stdout).toBe(0);
    return (JSON.parse(fs.readFileSync(path.join(dir, "out", "plan.json"), "utf8")) as { resources: WrittenResource[] }).resources;
}

const plans = new Map<string, WrittenResource[]>();
beforeAll(async () => {
    const hel1Types = () => {
        const doc = stackDoc("hel1").config;
        const run = doc["platform:pools"].find((p: any) => p.role === "run");
        // A larger type of the same line: a smaller one would no longer hold the tenants' volumes (capacity check).
        const other = run.serverType === "cpx42" ? "cpx52" : [doc["platform:servers"].serverType, ...doc["platform:pools"].map((p: any) => p.serverType)].find((t) => t && t !== run.serverType);
        return { run, other };
    };
    const jobs: Array<[string, () => Promise<WrittenResource[]>]> = [
        ["fsn1-server-0-gen1", () => planChanged("gen", "fsn1", (c) => (c["platform:servers"].generations = { "0": 1 }))],
        ["hel1-run-type", () => planChanged("type", "hel1", (c) => (c["platform:pools"].find((p: any) => p.role === "run").serverType = hel1Types().other))],
        ["fsn1-disk-layout", () => planChanged("disk", "fsn1", (c) => c["platform:baremetal"].partitions.splice(1, 1, { mount: "/", filesystem: "ext4", size: "300G" }))],
        ["fsn1-allow-disruptive", () => planChanged("allow", "fsn1", (c) => (c["platform:allowDisruptive"] = true))],
        ["fsn1-run-1-gen1", () => planChanged("metal-gen", "fsn1", (c) => (c["platform:pools"].find((p: any) => p.role === "run").generations = { "1": 1 }))],
    ];
    // Two at a time: the machines have two cores.
    for (let i = 0; i < jobs.length; i += 2) {
        const batch = jobs.slice(i, i + 2);
        const results = await Promise.all(batch.map(([, job]) => job()));
        batch.forEach(([name], j) => plans.set(name, results[j]!));
    }
}, 300_000);

const byName = (resources: readonly WrittenResource[], name: string) => (resources.find((r) => r.name === name && r.custom) ?? resources.find((r) => r.name === name))!;

describe("bumping one node's generation", () => {
    it("replaces exactly that node's tailnet key, machine, k3s join and retirement hooks, and nothing else", () => {
        const before = readPlan("fsn1").resources;
        const after = plans.get("fsn1-server-0-gen1")!;
        const diff = comparePlans(before, after);
        // Resources named by Kubernetes node name (per-node label reconciliation, Longhorn's node patch) follow
        // the new name; nothing of any other node is added or removed.
        expect(diff.added.every((u) => u.includes("fsn1-server-0-g1")), diff.added.join(", ")).toBe(true);
        // The platform's server CA is installed only on a bootstrapping server: the new server 0 joins the cluster,
        // which keeps the CA it has (the same one, from the stack state, pinned in every token).
        expect(diff.removed.every((u) => /fsn1-server-0(?!-g)/.test(u) || u.endsWith("::k3s-server-ca-install")), diff.removed.join(", ")).toBe(true);
        expect(diff.removed.some((u) => u.endsWith("::k3s-server-ca-install"))).toBe(true);
        const replaced = diff.changed.filter((c) => c.replacedBy.length > 0);
        expect(replaced.map((c) => [c.type, c.name, c.replacedBy]).sort()).toEqual(
            [
                ["command:local:Command", "fsn1-server-0-tailnet-device", ["triggers"]],
                ["command:remote:Command", "fsn1-server-0-k3s-retire", ["triggers"]],
                ["hcloud:index/server:Server", "fsn1-server-0", ["name"]],
                // The pool's bounded Ready wait lists its members: it waits again, for the new one.
                ["command:remote:Command", "node-pools-server-ready", ["triggers"]],
                ["tailscale:index/tailnetKey:TailnetKey", "fsn1-server-0-authkey", ["description"]],
            ].sort(),
        );
        // The replacement is a new identity: new hostname on the machine, in the key and in the join.
        expect(byName(after, "fsn1-server-0").inputs.name).toBe("fsn1-server-0-g1");
        expect(byName(after, "fsn1-server-0-authkey").inputs.description).toBe("node fsn1-server-0-g1");
        // The join runs again on the new machine: its script names the new node (a changed create re-runs,
        // the start command has no update step), over the connection to the new machine.
        const join = diff.changed.find((c) => c.name === "fsn1-server-0-k3s-start")!;
        expect(join.changedInputs).toContain("create");
        expect(byName(after, "fsn1-server-0-k3s-start").inputs.create).toContain("fsn1-server-0-g1");
        // Everything else that changed only follows the new name (an update, not a replacement).
        for (const change of diff.changed.filter((c) => c.replacedBy.length === 0)) {
            // ...or lists the node names (the kubelet CSR approver's allowed names).
            expect(change.name, JSON.stringify(change)).toMatch(/^fsn1-server-0-|^node-pools-server-|^kubelet-csr-approver-release$/);
        }
    });

    it("does not bootstrap a second cluster: the new server 0 has no cluster-init and is not the first to start", () => {
        const after = plans.get("fsn1-server-0-gen1")!;
        const userData = fs.readdirSync(path.join(scratch, "gen", "out", "artifacts", "user-data")).find((f) => f.startsWith("fsn1-server-0."))!;
        const doc = yaml.load(fs.readFileSync(path.join(scratch, "gen", "out", "artifacts", "user-data", userData), "utf8")) as { write_files: Array<{ path: string; content: string }> };
        const k3s = yaml.load(doc.write_files.find((f) => f.path === "/etc/rancher/k3s/config.yaml")!.content) as Record<string, unknown>;
        expect(k3s["cluster-init"]).toBeUndefined();
        expect(k3s["node-name"]).toBe("fsn1-server-0-g1");
        // Before, server 0 initialised the cluster.
        const beforeUserData = fs.readdirSync(path.join(ROOT, "out", "fsn1", "artifacts", "user-data")).find((f) => f.startsWith("fsn1-server-0."))!;
        expect(fs.readFileSync(path.join(ROOT, "out", "fsn1", "artifacts", "user-data", beforeUserData), "utf8")).toContain("cluster-init: true");
        // The kubeconfig is still read from server 0 (now the new one), once it has joined.
        const kubeconfig = byName(after, "k3s-kubeconfig");
        expect(kubeconfig.dependencies).toContain(byName(after, "fsn1-server-0-k3s-start").urn);
        expect(kubeconfig.dependencies).not.toContain(byName(after, "fsn1-server-2-k3s-start").urn);
    });

    it("reinstalls a bare-metal node of a new generation: its /autosetup names the new hostname (the Robot provider's diff reinstalls on it)", () => {
        const before = readPlan("fsn1").resources;
        const after = plans.get("fsn1-run-1-gen1")!;
        const diff = comparePlans(before, after);
        // Resources per Kubernetes node name (Longhorn's storage-node patch, the label reconciliation) follow the new name.
        expect(diff.added.map((u) => u.split("::").at(-1))).toContain("longhorn-node-fsn1-run-1-g1");
        expect(diff.added.every((u) => u.includes("fsn1-run-1-g1")), diff.added.join(", ")).toBe(true);
        expect(diff.removed.every((u) => /fsn1-run-1(?!-g)/.test(u)), diff.removed.join(", ")).toBe(true);
        expect(diff.changed.filter((c) => c.replacedBy.length > 0).map((c) => c.name).sort()).toEqual(
            ["fsn1-run-1-authkey", "fsn1-run-1-k3s-retire", "fsn1-run-1-tailnet-device", "node-pools-run-ready"].sort(),
        );
        const machine = diff.changed.find((c) => c.name === "fsn1-run-1" && c.type === "pulumi-nodejs:dynamic:Resource")!;
        expect(machine.changedInputs).toEqual(expect.arrayContaining(["autosetup", "hostname"]));
        expect(String(byName(after, "fsn1-run-1").inputs.autosetup).split("\n")).toContain("HOSTNAME fsn1-run-1-g1");
        expect(diff.changed.every((c) => c.name.startsWith("fsn1-run-1") || c.name.startsWith("node-pools-run-") || c.name === "kubelet-csr-approver-release"), diff.changed.map((c) => c.name).join(", ")).toBe(true);
    });

    it("retires the old node from a server that stays, after the new one joined, and removes its tailnet device after that", () => {
        const after = plans.get("fsn1-server-0-gen1")!;
        const retire = byName(after, "fsn1-server-0-k3s-retire");
        const device = byName(after, "fsn1-server-0-tailnet-device");
        expect(retire.dependencies).toEqual(expect.arrayContaining([byName(after, "fsn1-server-0-k3s-start").urn, device.urn]));
        expect(retire.inputs.delete).toContain('node="fsn1-server-0-g1"');
        expect(retire.inputs.delete).toContain('delete secret "${node}.node-password.k3s"');
        expect(device.inputs.delete).toContain("/api/v2/device/");
        expect(device.secretInputs).toContain("environment");
        // Cloud nodes are replaced create-before-delete (the old node drains after its successor joined);
        // bare metal (the same machine reinstalled) retires first.
        expect(retire.deleteBeforeReplace).toBeUndefined();
        expect(byName(after, "fsn1-run-0-k3s-retire").deleteBeforeReplace).toBe(true);
    });
});

describe("changes that resize or reinstall running nodes", () => {
    it("a server-type change names exactly the pool's nodes; each guard stands before its machine", () => {
        const before = readPlan("hel1").resources;
        const after = plans.get("hel1-run-type")!;
        const runNodes = planNodes(stackConfig("hel1"), "hel1").filter((n) => n.pool === "run");
        const disrupted = disruptedNodes(before, after);
        expect(disrupted.map((d) => d.node)).toEqual(runNodes.map((n) => n.hostname));
        expect(disrupted.every((d) => d.before.includes(`serverType=${runNodes[0]!.serverType}`) && !d.after.includes(`serverType=${runNodes[0]!.serverType}`))).toBe(true);
        for (const node of runNodes) {
            const server = byName(after, node.id);
            expect(server.type).toBe("hcloud:index/server:Server");
            expect(server.dependencies).toContain(byName(after, `${node.id}-disruption-guard`).urn);
            // A resize re-runs the node's k3s start (restart, wait for Ready): its script names the machine.
            expect(comparePlans(before, after).changed.find((c) => c.name === `${node.id}-k3s-start`)?.changedInputs).toEqual(["create"]);
            expect(byName(after, `${node.id}-k3s-start`).inputs.create).toMatch(/# machine: .*serverType=/);
        }
    });

    it("a disk-layout change names exactly the bare-metal nodes", () => {
        const disrupted = disruptedNodes(readPlan("fsn1").resources, plans.get("fsn1-disk-layout")!);
        const metal = planNodes(stackConfig("fsn1"), "fsn1").filter((n) => n.kind === "baremetal");
        expect(metal).toHaveLength(3);
        expect(disrupted.map((d) => d.node)).toEqual(metal.map((n) => n.hostname));
        expect(disrupted[0]!.after).toContain("/:ext4:300G");
    });

    it("rolls machines one at a time only with platform:allowDisruptive: each waits for the previous node's k3s start", () => {
        const chained = (resources: readonly WrittenResource[]) => {
            const nodes = planNodes(stackConfig("fsn1"), "fsn1");
            return nodes.slice(1).map((node, i) => {
                const machine = resources.find((r) => r.name === node.id && r.custom)!;
                return machine.dependencies.includes(byName(resources, `${nodes[i]!.id}-k3s-start`).urn);
            });
        };
        expect(chained(readPlan("fsn1").resources).some(Boolean)).toBe(false);
        expect(chained(plans.get("fsn1-allow-disruptive")!).every(Boolean)).toBe(true);
    });
});
