import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { clusterAccess } from "../../../programs/platform/contract";
import { TEST_BACKUP_KEYS } from "../../components/project/fixtures";

describe("platform cluster access output", () => {
    it("holds the kubeconfig only, never the backup bucket's keys, even when the caller has them", async () => {
        const access = (clusterAccess as (...args: unknown[]) => pulumi.Output<unknown>)("kubeconfig-value", TEST_BACKUP_KEYS);
        expect(await pulumi.isSecret(access)).toBe(true);
        const value = await new Promise<unknown>((resolve) => access.apply(resolve));
        expect(value).toEqual({ kubeconfig: "kubeconfig-value" });
        expect(JSON.stringify(value)).not.toContain(TEST_BACKUP_KEYS.secretKey);
    });
});
