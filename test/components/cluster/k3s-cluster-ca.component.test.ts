import { createHash } from "node:crypto";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { describe, expect, it, vi } from "vitest";
import { synthesize } from "../../../tools/offline/mock-engine";
import { readStackConfig, syntheticSecrets } from "../../../tools/offline/stack-files";
import { renderStartScript } from "../../../components/cluster/k3s-join";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { ROOT } from "../../helpers/synth";

/**
 * Who made the cluster's server CA decides how nodes join (lib/config/schema.ts `cluster.certificateAuthority`):
 * the whole hel1 program (three servers, agents) under the mock engine, once with the platform's CA and once
 * with a cluster whose CA k3s generated, with the secret inputs in the clear (this harness does not redact).
 */
async function planHel1(certificateAuthority?: "platform" | "k3s"): Promise<StackPlan> {
    const stackConfig = readStackConfig(ROOT, "hel1");
    const cluster = JSON.parse(stackConfig["platform:cluster"]!) as Record<string, unknown>;
    const config = { ...stackConfig, "platform:cluster": JSON.stringify(certificateAuthority ? { ...cluster, certificateAuthority } : cluster) };
    const secrets = syntheticSecrets(config);
    // A fresh copy of the program for each configuration: it registers its resources when it is first imported.
    vi.resetModules();
    return synthesize({ stack: "hel1", config: { ...secrets, ...config }, secretKeys: Object.keys(secrets), loadProgram: () => import(path.join(ROOT, "programs/platform/index")) });
}

const byName = (plan: StackPlan, name: string) => {
    const found = plan.resources.filter((r) => r.name === name);
    expect(found, name).toHaveLength(1);
    return found[0]!;
};
const dependsOnStarts = (plan: StackPlan, name: string) =>
    byName(plan, name)
        .dependencies.map((urn) => plan.resources.find((r) => r.urn === urn)?.name ?? urn)
        .filter((n) => n.endsWith("-k3s-start"));
const tokenOf = (plan: StackPlan, name: string) => (yaml.load(String(byName(plan, name).inputs.stdin).split("\n# platform-registration")[0]!) as { token: string }).token;

describe("k3s server CA of stack hel1", () => {
    it("by default generates it: the install's certificate hashes to the CA pinned in every joiner's token and script", async () => {
        const plan = await planHel1();
        const install = byName(plan, "k3s-server-ca-install");
        const certificate = /-----BEGIN CERTIFICATE-----\n[\s\S]*?-----END CERTIFICATE-----\n/.exec(String(install.inputs.stdin))![0];
        expect(String(install.inputs.stdin)).toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
        // sha256 over the bytes the install writes (what k3s hashes for a one-certificate CA file), computed here.
        const hash = createHash("sha256").update(certificate).digest("hex");
        for (const node of ["hel1-server-1", "hel1-server-2", "hel1-run-0", "hel1-edge-0"]) {
            expect(tokenOf(plan, `${node}-k3s-start`), node).toMatch(new RegExp(`^K10${hash}::server:[^:\\s]{64}$`));
            expect(String(byName(plan, `${node}-k3s-start`).inputs.create), node).toContain(`!= "${hash}"`);
        }
        // The bootstrapping server starts with the plain secret: k3s writes the full token itself, from the same CA.
        expect(tokenOf(plan, "hel1-server-0-k3s-start")).toMatch(/^[^:\s]{64}$/);
        expect(tokenOf(plan, "hel1-run-0-k3s-start")).toBe(`K10${hash}::server:${tokenOf(plan, "hel1-server-0-k3s-start")}`);
        expect(dependsOnStarts(plan, "hel1-run-0-k3s-start")).toEqual([]);
        expect(dependsOnStarts(plan, "hel1-server-2-k3s-start")).toEqual(["hel1-server-1-k3s-start"]);
        expect(plan.resources.some((r) => r.name === "k3s-full-token")).toBe(false);
    });

    it("protects the cluster's identity: the join secret, the server CA key and its certificate", async () => {
        const plan = await planHel1();
        for (const name of ["k3s-token", "k3s-server-ca-key", "k3s-server-ca"]) {
            expect(byName(plan, name).protect, name).toBe(true);
        }
        // The secret the first server starts with stays protected on a cluster whose CA k3s made.
        expect(byName(await planHel1("k3s"), "k3s-token").protect).toBe(true);
    });

    it("keeps a cluster whose CA k3s generated on the read-back token, with the start scripts such clusters were started with", async () => {
        const plan = await planHel1("k3s");
        expect(plan.resources.filter((r) => r.type.startsWith("tls:") && r.name.startsWith("k3s-server-ca"))).toEqual([]);
        expect(plan.resources.some((r) => r.name === "k3s-server-ca-install")).toBe(false);
        const read = byName(plan, "k3s-full-token");
        expect(String(read.inputs.create)).toContain("cat /var/lib/rancher/k3s/server/token");
        for (const node of ["hel1-server-1", "hel1-server-2", "hel1-run-0"]) {
            const start = byName(plan, `${node}-k3s-start`);
            expect(start.dependencies.some((d) => d === read.urn), node).toBe(true);
            // The mock engine's read-back token (tools/offline/mock-engine.ts), not a hash this program computed.
            expect(tokenOf(plan, `${node}-k3s-start`), node).toMatch(/^K10[0-9a-f]{64}::server:[0-9a-f]{40}$/);
            expect(String(start.inputs.create).startsWith(renderStartScript(node, node.includes("server") ? "server" : "agent")), node).toBe(true);
        }
        expect(dependsOnStarts(plan, "hel1-run-0-k3s-start")).toEqual(["hel1-server-2-k3s-start"]);
    });
});
