import * as path from "node:path";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { synthesize, mockInvoke } from "../../../tools/offline/mock-engine";
import { readStackConfig, syntheticSecrets } from "../../../tools/offline/stack-files";
import { tailnetIdentity } from "../../../components/nodes/infrastructure";
import { ROOT } from "../../helpers/synth";

/**
 * The tailnet decides a node's name: a device whose name is taken becomes `<name>-1`. The whole program runs
 * here against a tailnet that renamed every device, and SSH, the k3s registration address and the
 * kubeconfig must follow the names it reports, not the ones the nodes asked for.
 */
describe("tailnet identity read back from Tailscale", () => {
    it("connects, registers and points the kubeconfig at the names and addresses the tailnet reports", async () => {
        const secrets = syntheticSecrets();
        const asked: Array<Record<string, unknown>> = [];
        const plan = await synthesize({
            stack: "dev",
            config: { ...secrets, ...readStackConfig(ROOT, "dev") },
            secretKeys: Object.keys(secrets),
            invoke: (token, inputs) => {
                if (token !== "tailscale:index/getDevice:getDevice") return undefined;
                asked.push(inputs);
                return { ...mockInvoke(token, inputs)!, name: `${String(inputs.hostname)}-1.tail4f2a1c.ts.net.`, addresses: ["fd7a:115c:a1e0::9", `100.101.0.${asked.length}`] };
            },
            loadProgram: async () => {
                const pulumi = await import("@pulumi/pulumi");
                const program = await import(path.join(ROOT, "programs/platform/index"));
                return { ...program, kubeconfigForTest: pulumi.unsecret(program.kubeconfig) };
            },
        });
        // One read per node, by its own hostname, bounded.
        expect(asked.map((a) => a.hostname).sort()).toEqual(["dev-build-0", "dev-edge-0", "dev-run-0", "dev-server-0"]);
        expect(asked.every((a) => a.waitFor === "20m")).toBe(true);

        expect(plan.outputs.sshTargets).toEqual({
            "dev-server-0": "dev-server-0-1.tail4f2a1c.ts.net",
            "dev-run-0": "dev-run-0-1.tail4f2a1c.ts.net",
            "dev-edge-0": "dev-edge-0-1.tail4f2a1c.ts.net",
            "dev-build-0": "dev-build-0-1.tail4f2a1c.ts.net",
        });
        expect(Object.values(plan.outputs.tailnetAddresses as Record<string, string>).every((ip) => /^100\.101\.0\.\d$/.test(ip))).toBe(true);

        const start = plan.resources.find((r) => r.name === "fsn1-run-0-k3s-start")!;
        expect((start.inputs.connection as { host: string }).host).toBe("dev-run-0-1.tail4f2a1c.ts.net");
        const dropIn = yaml.loadAll(String(start.inputs.stdin)).reduce<Record<string, unknown>>((all, doc) => ({ ...all, ...(doc as object) }), {});
        expect(dropIn.server).toBe("https://dev-server-0-1.tail4f2a1c.ts.net:6443");
        const serverStart = plan.resources.find((r) => r.name === "fsn1-server-0-k3s-start")!;
        expect(String(serverStart.inputs.stdin)).toContain("tls-san+:\n  - dev-server-0-1.tail4f2a1c.ts.net");

        const kubeconfig = yaml.load(String(plan.outputs.kubeconfigForTest)) as { clusters: Array<{ name: string; cluster: { server: string } }>; "current-context": string };
        expect(kubeconfig["current-context"]).toBe("platform-dev");
        expect(kubeconfig.clusters.find((c) => c.name === "platform-dev")!.cluster.server).toBe("https://dev-server-0-1.tail4f2a1c.ts.net:6443");
        expect(kubeconfig.clusters.find((c) => c.name === "platform-dev-dev-server-0")!.cluster.server).toBe("https://dev-server-0-1.tail4f2a1c.ts.net:6443");

        // The device removal of each node names the device the tailnet reported.
        const device = plan.resources.find((r) => r.name === "fsn1-edge-0-tailnet-device")!;
        expect((device.inputs.environment as Record<string, string>).TAILNET_DEVICE_ID).toMatch(/^\d+$/);
    });

    it("takes the MagicDNS name and the 100.64.0.0/10 address of a device, and refuses a device without them", () => {
        expect(tailnetIdentity({ name: "a-1.tail1.ts.net.", addresses: ["fd7a:115c:a1e0::1", "100.64.0.7"] })).toEqual({ name: "a-1.tail1.ts.net", ipv4: "100.64.0.7" });
        expect(tailnetIdentity({ name: "b.tail1.ts.net", addresses: ["100.127.255.254"] }).ipv4).toBe("100.127.255.254");
        expect(() => tailnetIdentity({ hostname: "c", name: "c.tail1.ts.net", addresses: ["100.128.0.1", "10.0.0.1"] })).toThrow(/tailnet device c has no .* 100\.64\.0\.0\/10 address/);
        expect(() => tailnetIdentity({ hostname: "d", name: "", addresses: ["100.64.0.1"] })).toThrow(/no MagicDNS name/);
    });
});
