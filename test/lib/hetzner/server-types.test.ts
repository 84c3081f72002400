import { describe, expect, it } from "vitest";
import { currentTypesIn, locationGroupOf, rejectServerType, SERVER_TYPES, serverOnlyMonthlyEur, type DeprecatedOffer } from "../../../lib/hetzner/server-types";

describe("server type table", () => {
    it("marks the types Hetzner retired in the EU on 2025-10-16 as deprecated there", () => {
        for (const name of ["cx22", "cx32", "cx42", "cx52", "cpx11", "cpx21", "cpx31", "cpx41", "cpx51"]) {
            const offer = SERVER_TYPES[name]!.offers.eu as DeprecatedOffer;
            expect(offer.status, name).toBe("deprecated");
            expect([offer.deprecatedOn, offer.unorderableSince]).toEqual(["2025-10-16", "2025-12-31"]);
        }
    });

    it("replaces every deprecated type by the same line's smallest current type with at least its vCPUs and memory", () => {
        for (const spec of Object.values(SERVER_TYPES)) {
            for (const [group, offer] of Object.entries(spec.offers)) {
                if (offer.status !== "deprecated") continue;
                const replacement = SERVER_TYPES[offer.replacement]!;
                expect(replacement.offers[group as "eu"]?.status, `${spec.name} → ${replacement.name}`).toBe("current");
                const candidates = currentTypesIn(group as "eu").filter((t) => t.line === spec.line && t.architecture === spec.architecture && t.vcpu >= spec.vcpu && t.memoryGb >= spec.memoryGb);
                const smallest = [...candidates].sort((a, b) => a.vcpu - b.vcpu || a.memoryGb - b.memoryGb)[0]!;
                expect(replacement.name, spec.name).toBe(smallest.name);
            }
        }
    });

    it("carries the page figures of 2026-09-04 with their source, and the server alone is the figure minus the IPv4", () => {
        const eu = (name: string) => SERVER_TYPES[name]!.offers.eu;
        const price = (name: string) => {
            const offer = eu(name);
            return offer?.status === "current" ? offer.price : undefined;
        };
        // Written from [plans-2026-09], not from the table.
        expect(price("cx23")).toEqual({ pageMonthlyEur: 5.99, includesPrimaryIpv4: true, hourlyEur: null, basis: "transcribed", source: "plans-2026-09" });
        expect(price("cpx32")!.pageMonthlyEur).toBe(35.99);
        expect(price("ccx23")!.pageMonthlyEur).toBe(86.49);
        expect(serverOnlyMonthlyEur(price("cpx12")!)).toBeCloseTo(11.49, 10);
        const sin = SERVER_TYPES.ccx13!.offers.sin;
        expect(sin?.status === "current" && sin.price?.pageMonthlyEur).toBe(54.49);
        // The shared lines were shown as not orderable that day.
        expect(eu("cx43")).toMatchObject({ status: "current", reportedUnorderableOn: "2026-09-04" });
        expect(eu("cpx42")).not.toHaveProperty("reportedUnorderableOn");
    });

    it("records architecture and CPU kind per line", () => {
        const kind = (name: string) => [SERVER_TYPES[name]!.architecture, SERVER_TYPES[name]!.cpu, SERVER_TYPES[name]!.line];
        expect(kind("cx33")).toEqual(["x86", "shared", "Cost-Optimized"]);
        expect(kind("cax31")).toEqual(["arm", "shared", "Cost-Optimized"]);
        expect(kind("cpx42")).toEqual(["x86", "shared", "Regular Performance"]);
        expect(kind("ccx23")).toEqual(["x86", "dedicated", "General Purpose"]);
        expect([SERVER_TYPES.cpx52!.vcpu, SERVER_TYPES.cpx52!.memoryGb, SERVER_TYPES.cpx52!.diskGb]).toEqual([12, 24, 480]);
    });

    it("knows which location group sells what", () => {
        expect([locationGroupOf("fsn1"), locationGroupOf("hel1"), locationGroupOf("ash"), locationGroupOf("sin"), locationGroupOf("moon1")]).toEqual(["eu", "eu", "us", "sin", undefined]);
        expect(currentTypesIn("us").map((t) => t.name).sort()).toEqual(["ccx13", "ccx23", "ccx33", "ccx43", "ccx53", "ccx63", "cpx11", "cpx21", "cpx31", "cpx41", "cpx51"]);
        // Cheapest first; types without a post-2026-06-15 price last.
        expect(currentTypesIn("eu")[0]!.name).toBe("cx23");
        expect(currentTypesIn("us")[0]!.name).toBe("cpx11");
    });
});

describe("rejectServerType", () => {
    it("accepts current types in their location, in any case", () => {
        expect(rejectServerType("cx43", "fsn1")).toBeUndefined();
        expect(rejectServerType("CPX32", "hel1")).toBeUndefined();
        expect(rejectServerType("cpx31", "ash")).toBeUndefined();
    });

    it("rejects a deprecated type with its replacement as the fix", () => {
        expect(rejectServerType("cx42", "fsn1")).toEqual({
            problem: "server type cx42 is deprecated in fsn1 since 2025-10-16 and cannot be ordered since 2025-12-31",
            fix: "serverType: cx43   # 8 vCPU, 16 GB, 160 GB (was 8 vCPU, 16 GB)",
        });
        expect(rejectServerType("cpx51", "nbg1")!.fix).toMatch(/^serverType: cpx62 /);
    });

    it("rejects unknown types and types not sold in the location, listing what is", () => {
        const unknown = rejectServerType("cx99", "fsn1")!;
        expect(unknown.problem).toContain('unknown Hetzner Cloud server type "cx99"');
        expect(unknown.fix).toMatch(/^use a type sold in fsn1: cx23, cax11, cx33, /);
        const notHere = rejectServerType("cx23", "ash")!;
        expect(notHere.problem).toBe("server type cx23 is not sold in ash");
        expect(notHere.fix).toContain("cpx11");
        expect(notHere.fix).not.toMatch(/\bcx23\b/);
    });
});
