import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { estimateMonthlyCost } from "../../../lib/cost/estimate";
import type { PlannedResource, StackPlan } from "../../../tools/offline/plan-types";
import { platformConfigFromStack, renderReports } from "../../../tools/offline/reports";
import { readStackConfig } from "../../../tools/offline/stack-files";

const ROOT = path.resolve(__dirname, "../../..");

function resource(name: string, type: string, inputs: Record<string, unknown>, dependencies: string[] = []): PlannedResource {
    return { urn: `urn:pulumi:dev::platform::${type}::${name}`, type, name, custom: true, inputs, secretInputs: [], additionalSecretOutputs: [], dependencies };
}

const server = resource("fsn1-server-0", "hcloud:index/server:Server", { serverType: "cx42" });
const start = resource("fsn1-server-0-k3s-start", "command:remote:Command", { create: "install" }, [server.urn]);
const chart = resource("traefik", "kubernetes:helm.sh/v3:Release", { chart: "traefik", name: "traefik", namespace: "traefik", values: { replicas: 2, resources: { requests: { cpu: "100m", memory: "64Mi" } } } }, [start.urn]);
const plan: StackPlan = { stack: "dev", resources: [server, start, chart], outputs: {} };

describe("renderReports", () => {
    it("decodes the plain platform keys without any secret and renders the three sections", () => {
        const raw = readStackConfig(ROOT, "dev");
        expect(Object.keys(raw).some((k) => k === "platform:etcdS3AccessKey")).toBe(false);
        const config = platformConfigFromStack({ ...raw, "platform:robotPassword": "ignored", "hcloud:token": "ignored" });
        const text = renderReports(plan, raw);
        expect(text).toContain("Monthly cost estimate");
        expect(text).toContain(estimateMonthlyCost(config).totalMonthlyEur.toFixed(2));
        expect(text).toContain("helm:traefik/traefik");
        expect(text).toContain("0.20 CPU");
        // 45 s server + 90 s k3s + 60 s traefik chart.
        expect(text).toMatch(/ESTIMATE.*~3 min 15 s/);
    });

    it("keeps the other sections when one cannot be computed", () => {
        // Types sold in ash (the config is valid) for which no post-2026-06-15 price is known (lib/hetzner/server-types.ts).
        const raw = {
            ...readStackConfig(ROOT, "dev"),
            "platform:location": "ash",
            "platform:servers": JSON.stringify({ count: 1, kind: "cloud", serverType: "ccx13", schedulable: true }),
            "platform:pools": JSON.stringify([{ role: "run", count: 1, serverType: "ccx23" }, { role: "edge", count: 1, serverType: "cpx11" }]),
        };
        const text = renderReports(plan, raw);
        expect(text).toMatch(/Monthly cost estimate: not available: .*"ccx13" in ash/);
        expect(text).toContain("helm:traefik/traefik");
        expect(text).toContain("ESTIMATE");
    });

    it("reports an unparseable config in the sections that need it", () => {
        const text = renderReports(plan, { "platform:environment": "nowhere" });
        expect(text).toMatch(/Monthly cost estimate: not available: stack config could not be parsed/);
        expect(text).toContain("ESTIMATE");
    });
});
