import { execFile } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { GET_SERVERS_TOKEN, GET_SERVER_TYPES_TOKEN, serverTypesAnswerFromTable, type ServerTypesAnswer } from "../../../lib/hetzner/availability";
import { wrapSecrets } from "../../../lib/config/load";
import { mockInvoke } from "../../../tools/offline/mock-engine";
import { stackConfig } from "../../helpers/config";
import { setupMocks, type Registration } from "../../helpers/mock-pulumi";
import { ROOT } from "../../helpers/synth";

/**
 * The availability check wired into Infrastructure: every cloud server takes its type from the hcloud
 * answer, so an answer saying "not available" leaves every hcloud server unregistered and fails with the type,
 * the location and the alternatives from that answer.
 */

let registrations: Registration[];
let answer: ServerTypesAnswer = serverTypesAnswerFromTable();
let existing: Array<{ name: string; serverType: string }> = [];
let selectors: unknown[] = [];
const config = stackConfig("dev");

beforeAll(async () => {
    registrations = await setupMocks("dev", {}, {
        [GET_SERVER_TYPES_TOKEN]: () => answer as unknown as Record<string, unknown>,
        [GET_SERVERS_TOKEN]: (inputs) => {
            selectors.push(inputs.withSelector);
            return { id: "servers", servers: existing };
        },
        // Each created server's tailnet identity is read back (components/nodes/infrastructure.ts).
        "tailscale:index/getDevice:getDevice": (inputs) => mockInvoke("tailscale:index/getDevice:getDevice", inputs)!,
    });
});

/** The answer with `type` temporarily unavailable in `location`. */
function unavailableIn(type: string, location: string): ServerTypesAnswer {
    return {
        serverTypes: serverTypesAnswerFromTable().serverTypes.map((t) =>
            t.name === type ? { ...t, locations: t.locations.map((l) => (l.name === location ? { ...l, available: false } : l)) } : t,
        ),
    };
}

async function infrastructure(name: string) {
    const { Infrastructure } = await import("../../../components/nodes/infrastructure");
    const { planNodes } = await import("../../../components/nodes/node-plan");
    const { stackNodeTags } = await import("../../../components/mesh/acl");
    const mesh = { authKeys: new Map(planNodes(config, "dev").map((n) => [n.id, pulumi.secret("tskey-auth-test")])), nodeTags: stackNodeTags("dev") };
    return new Infrastructure(name, { config, secrets: wrapSecrets(config, {}), mesh: mesh as never });
}

/** Runs a test fixture program in its own process (tsx), returning its stdout. */
function runFixture(file: string): Promise<{ stdout: string }> {
    return new Promise((resolve, reject) => {
        execFile("npx", ["tsx", path.join(ROOT, "test", "fixtures", file)], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: "1" } }, (error, stdout) => {
            if (error && typeof error.code !== "number") {
                reject(error);
                return;
            }
            resolve({ stdout });
        });
    });
}

/** Resolves or rejects with the Output's fate (pulumi.Output has no rejection hook of its own). */
function settle<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

describe("Infrastructure with the server-type availability check", () => {
    it("creates the cloud servers with the checked types when the hcloud answer lists them as available", async () => {
        answer = serverTypesAnswerFromTable();
        const before = registrations.length;
        const infra = await infrastructure("ok");
        await Promise.all(infra.nodes.map((n) => settle(n.publicIp)));
        const servers = registrations.slice(before).filter((r) => r.type === "hcloud:index/server:Server");
        // Pulumi.dev.yaml: one cx43 server, one cx43 run node, one cx23 edge node, one cx33 build node.
        expect(servers.map((s) => s.inputs.serverType).sort()).toEqual(["cx23", "cx33", "cx43", "cx43"]);
    });

    it("lets a stack whose servers already run with the type update while the type is out of stock", async () => {
        const { planNodes } = await import("../../../components/nodes/node-plan");
        answer = unavailableIn("cx43", "fsn1");
        existing = planNodes(config, "dev")
            .filter((n) => n.serverType === "cx43")
            .map((n) => ({ name: n.hostname, serverType: "cx43" }));
        selectors = [];
        const before = registrations.length;
        const infra = await infrastructure("running");
        await Promise.all(infra.nodes.map((n) => settle(n.publicIp)));
        expect(registrations.slice(before).filter((r) => r.type === "hcloud:index/server:Server")).toHaveLength(4);
        // The existing servers are found by the label every server of the stack carries.
        expect(selectors).toEqual(["platform/stack=dev"]);
        existing = [];
    });

    it("registers no hcloud server and reports type, location and alternatives when the answer says unavailable", async () => {
        // The exit code is the SDK's (it flags the promises the failed servers leave pending); the JSON is ours.
        const { stdout } = await runFixture("unavailable-server-type-program.ts");
        const { registered, reported } = JSON.parse(stdout) as { registered: string[]; reported: string[] };
        // The rest of the infrastructure registers; no hcloud server does (nor what needs one: the floating IP).
        expect(registered).toContain("hcloud:index/network:Network");
        expect(registered).not.toContain("hcloud:index/server:Server");
        expect(registered).not.toContain("hcloud:index/floatingIp:FloatingIp");
        // One message, a RunError (the language host prints it without a stack trace).
        expect(reported).toHaveLength(1);
        const message = reported[0]!;
        expect(message).toMatch(/^RunError: /);
        expect(message).toContain("cx43 in fsn1: temporarily unavailable in this location");
        // Alternatives come from the answer: shared x86 types orderable in fsn1 with at least 8 vCPU / 16 GB first.
        expect(message).toMatch(/orderable in fsn1 now: cpx42, cpx52, cpx62, cx53, ccx33, /);
        expect(message).not.toMatch(/orderable in fsn1 now:[^\n]*\bcx43\b/);
    });
});
