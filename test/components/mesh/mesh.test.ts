import { describe, expect, it } from "vitest";
import { authKeyDescription } from "../../../components/mesh/mesh";
import { planNodes } from "../../../components/nodes/node-plan";
import { stackConfig } from "../../helpers/config";

describe("node auth keys", () => {
    it("describe the node's incarnation within Tailscale's 50 characters, so a generation bump replaces the key", () => {
        const config = stackConfig("fsn1");
        const [server] = planNodes(config, "fsn1");
        const [bumped] = planNodes(stackConfig("fsn1", { "platform:servers": JSON.stringify({ count: 3, serverType: "ccx23", generations: { "0": 7 } }) }), "fsn1");
        expect(authKeyDescription(server!)).toBe("node fsn1-server-0");
        expect(authKeyDescription(bumped!)).toBe("node fsn1-server-0-g7");
        // A long stack name: the description falls back to the slot and generation, still distinct.
        const [longA] = planNodes(config, "a-very-long-stack-name-for-the-production-region");
        expect(authKeyDescription(longA!)).toBe("node fsn1-server-0 generation 0");
        expect(authKeyDescription({ ...longA!, generation: 2 })).toBe("node fsn1-server-0 generation 2");
        for (const d of [server, bumped, longA].map((n) => authKeyDescription(n!))) {
            expect(d.length).toBeLessThanOrEqual(50);
            expect(d).toMatch(/^[A-Za-z0-9 -]+$/);
        }
    });
});
