import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repositoryLayout, selectStacks } from "../../../tools/driver/stacks";
import { TENANT_CONTRACT_KEY as PROGRAM_CONTRACT_KEY, TENANT_KUBECONFIG_KEY as PROGRAM_KUBECONFIG_KEY, TENANT_SECRETS_KEY as PROGRAM_TENANT_SECRETS_KEY } from "../../../programs/tenant/load";
import * as grantsProgram from "../../../programs/grants/load";
import * as driver from "../../../tools/driver/orchestrate";
import { TENANT_CONTRACT_KEY, TENANT_KUBECONFIG_KEY, TENANT_SECRETS_KEY } from "../../../tools/driver/orchestrate";
import { SECRET_ENV_MAPPINGS } from "../../../tools/driver/environment";

const catalog = ["shop", "blog", "wiki"];

describe("tenant stack names", () => {
    it("are the tenant program's (lib/stacks/naming.ts): region and id joined by the separator no id contains", () => {
        const layout = repositoryLayout("/repo");
        expect(layout.tenant("fsn1", "old-shop")).toEqual({ role: "tenant", tenant: "old-shop", stackName: "fsn1--old-shop", workDir: path.join("/repo", "programs", "tenant") });
        expect(layout.tenantIdOf("fsn1", "fsn1--old-shop")).toBe("old-shop");
        expect(layout.tenantIdOf("fsn1", "acme/platform-tenant/fsn1--shop")).toBe("shop");
        // Another region's tenants, the platform stack itself and a bare prefix are not this region's tenants.
        expect(layout.tenantIdOf("fsn1", "fsn1-b--shop")).toBeUndefined();
        expect(layout.tenantIdOf("fsn1-b", "fsn1--shop")).toBeUndefined();
        expect(layout.tenantIdOf("fsn1", "fsn1")).toBeUndefined();
        expect(layout.tenantIdOf("fsn1", "fsn1--")).toBeUndefined();
        expect(layout.platform("fsn1")).toEqual({ role: "platform", stackName: "fsn1", workDir: "/repo" });
    });

    it("name a tenant's grants stack <region>--<id>--grants in the grants program, and only this region's grants stacks map back to an id", () => {
        const layout = repositoryLayout("/repo");
        expect(layout.grants("fsn1", "old-shop")).toEqual({ role: "grants", tenant: "old-shop", stackName: "fsn1--old-shop--grants", workDir: path.join("/repo", "programs", "grants") });
        expect(layout.grantsIdOf("fsn1", "acme/platform-grants/fsn1--shop--grants")).toBe("shop");
        expect(layout.grantsIdOf("fsn1", "fsn1--shop")).toBeUndefined();
        expect(layout.grantsIdOf("fsn1-b", "fsn1--shop--grants")).toBeUndefined();
        // An app stack name is never read as a grants stack of this region, nor the reverse.
        expect(layout.tenantIdOf("fsn1", "fsn1--shop--grants")).toBeUndefined();
    });
});

describe("grants stack hand-over", () => {
    it("goes to the config keys the grants program reads", () => {
        expect(driver.GRANTS_CONTRACT_KEY).toBe(grantsProgram.GRANTS_CONTRACT_KEY);
        expect(driver.GRANTS_KUBECONFIG_KEY).toBe(grantsProgram.GRANTS_KUBECONFIG_KEY);
        expect(driver.GRANTS_PULL_PASSWORD_KEY).toBe(grantsProgram.GRANTS_PULL_PASSWORD_KEY);
        expect(driver.GRANTS_BACKUP_ACCESS_KEY).toBe(grantsProgram.GRANTS_BACKUP_ACCESS_KEY);
        expect(driver.GRANTS_BACKUP_SECRET_KEY).toBe(grantsProgram.GRANTS_BACKUP_SECRET_KEY);
    });
});

describe("tenant secrets", () => {
    it("go to the config key the tenant program reads", () => {
        expect(TENANT_SECRETS_KEY).toBe(PROGRAM_TENANT_SECRETS_KEY);
        expect(TENANT_CONTRACT_KEY).toBe(PROGRAM_CONTRACT_KEY);
        expect(TENANT_KUBECONFIG_KEY).toBe(PROGRAM_KUBECONFIG_KEY);
        expect(SECRET_ENV_MAPPINGS.find((m) => m.env === "PLATFORM_TENANT_SECRETS")).toMatchObject({ key: PROGRAM_TENANT_SECRETS_KEY, target: "tenants" });
    });
});

describe("stack selection", () => {
    it("counts a tenant with only a grants stack left as existing: pending deletion, destroyable by name", () => {
        expect(selectStacks({ command: "preview", tenants: [], all: true }, catalog, ["gone"], "fsn1", ["shop", "orphan"]).pendingDeletion).toEqual(["gone", "orphan"]);
        expect(selectStacks({ command: "destroy", tenants: ["orphan"], all: false }, catalog, [], "fsn1", ["orphan"]).tenants).toEqual(["orphan"]);
        expect(() => selectStacks({ command: "destroy", tenants: [], all: false }, catalog, [], "fsn1", ["shop"])).toThrow("stack fsn1 still has 1 tenant stack(s) (shop)");
    });

    it("runs the platform alone when nothing is selected", () => {
        expect(selectStacks({ command: "preview", tenants: [], all: false }, catalog, ["gone"], "fsn1")).toEqual({ platform: "run", platformLast: false, tenants: [], pendingDeletion: ["gone"] });
    });

    it("runs the platform then the whole catalog with --all; destroy reverses and covers every existing tenant stack", () => {
        expect(selectStacks({ command: "up", tenants: [], all: true }, catalog, ["shop", "gone"], "fsn1")).toEqual({ platform: "run", platformLast: false, tenants: catalog, pendingDeletion: ["gone"] });
        expect(selectStacks({ command: "destroy", tenants: [], all: true }, catalog, ["wiki", "gone", "shop"], "fsn1")).toEqual({
            platform: "run",
            platformLast: true,
            tenants: ["shop", "wiki", "gone"],
            pendingDeletion: ["gone"],
        });
    });

    it("with --tenant: up checks the platform first, the read-only commands leave it alone", () => {
        expect(selectStacks({ command: "up", tenants: ["wiki", "shop"], all: false }, catalog, [], "fsn1")).toMatchObject({ platform: "up-if-changed", tenants: ["shop", "wiki"] });
        for (const command of ["preview", "refresh", "drift"] as const) {
            expect(selectStacks({ command, tenants: ["blog"], all: false }, catalog, [], "fsn1")).toMatchObject({ platform: "none", tenants: ["blog"] });
        }
    });

    it("refuses every unknown tenant at once", () => {
        expect(() => selectStacks({ command: "preview", tenants: ["nope", "gone"], all: false }, catalog, ["gone"], "fsn1")).toThrow(
            "tenant nope is not in the catalog of region fsn1; tenants: shop, blog, wiki.\ntenant gone is not in the catalog of region fsn1 (its stack is pending deletion: the tenant file was removed); tenants: shop, blog, wiki.",
        );
    });

    it("destroys only a named pending-deletion tenant; never one with a file, never a stack that does not exist", () => {
        expect(selectStacks({ command: "destroy", tenants: ["gone"], all: false }, catalog, ["gone", "shop"], "fsn1")).toEqual({ platform: "none", platformLast: false, tenants: ["gone"], pendingDeletion: ["gone"] });
        expect(() => selectStacks({ command: "destroy", tenants: ["shop"], all: false }, catalog, ["shop"], "fsn1")).toThrow("tenant shop still has a tenant file");
        expect(() => selectStacks({ command: "destroy", tenants: ["ghost"], all: false }, catalog, ["gone"], "fsn1")).toThrow("tenant ghost has no stack in region fsn1; pending deletion: gone.");
        expect(() => selectStacks({ command: "destroy", tenants: [], all: false }, catalog, ["shop"], "fsn1")).toThrow("stack fsn1 still has 1 tenant stack(s) (shop)");
        expect(selectStacks({ command: "destroy", tenants: [], all: false }, catalog, [], "fsn1")).toMatchObject({ platform: "run", tenants: [] });
    });
});
