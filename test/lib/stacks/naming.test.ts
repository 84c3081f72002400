import { describe, expect, it } from "vitest";
import { clusterIdentifierOf, grantsStackName, parseGrantsStackName, parseTenantStackName, platformStackName, platformStackReference, tenantStackName } from "../../../lib/stacks/naming";

describe("stack naming", () => {
    it("names the platform stack after the region and a tenant stack <region>--<id>", () => {
        expect(platformStackName("fsn1")).toBe("fsn1");
        expect(tenantStackName("fsn1", "shop")).toBe("fsn1--shop");
    });

    it("splits a tenant stack name back into exactly one region and id, also for regions with '-' or '--' and qualified names", () => {
        for (const [region, id] of [["dev", "hello"], ["eu-central", "shop-2"], ["a--b", "c"]] as const) {
            expect(parseTenantStackName(tenantStackName(region, id))).toEqual({ region, id });
            expect(parseTenantStackName(`acme/platform-tenant/${tenantStackName(region, id)}`)).toEqual({ region, id });
        }
    });

    it("refuses what is not a tenant stack name or not a project id", () => {
        expect(parseTenantStackName("dev")).toBeUndefined();
        expect(parseTenantStackName("--hello")).toBeUndefined();
        expect(parseTenantStackName("dev--")).toBeUndefined();
        expect(() => tenantStackName("dev", "a--b")).toThrow(/not a project id/);
        expect(() => tenantStackName("dev", "Shop")).toThrow(/not a project id/);
        expect(() => tenantStackName("", "shop")).toThrow(/region is empty/);
    });

    it("names a tenant's grants stack <region>--<id>--grants and splits it back, also for a project whose id is 'grants'", () => {
        expect(grantsStackName("fsn1", "shop")).toBe("fsn1--shop--grants");
        for (const [region, id] of [["dev", "hello"], ["dev", "grants"], ["a--b", "c"]] as const) {
            expect(parseGrantsStackName(grantsStackName(region, id))).toEqual({ region, id });
            expect(parseGrantsStackName(`acme/platform-grants/${grantsStackName(region, id)}`)).toEqual({ region, id });
        }
        // An app stack is not a grants stack, nor is the grants stack an app stack of this region.
        expect(parseGrantsStackName("dev--hello")).toBeUndefined();
        expect(parseTenantStackName(grantsStackName("dev", "hello"))?.region).not.toBe("dev");
        expect(() => grantsStackName("dev", "a--b")).toThrow(/not a project id/);
    });

    it("references the platform stack by organization, platform project and region", () => {
        expect(platformStackReference("acme", "hel1")).toBe("acme/platform/hel1");
        expect(clusterIdentifierOf("hel1")).toBe("platform-hel1");
    });
});
