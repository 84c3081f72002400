import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { projectCredentialsOutput } from "../../../programs/platform/contract";
import { TEST_BACKUP_KEYS } from "../../components/project/fixtures";

describe("platform project credentials output", () => {
    it("is one secret map of project id to that project's kubeconfig, never the backup bucket's keys, even when the caller has them", async () => {
        const output = (projectCredentialsOutput as (...args: unknown[]) => pulumi.Output<unknown>)(
            [
                ["shop", "kubeconfig-shop"],
                ["blog", pulumi.output("kubeconfig-blog")],
            ],
            TEST_BACKUP_KEYS,
        );
        expect(await pulumi.isSecret(output)).toBe(true);
        const value = await new Promise<unknown>((resolve) => output.apply(resolve));
        expect(value).toEqual({ shop: "kubeconfig-shop", blog: "kubeconfig-blog" });
        expect(JSON.stringify(value)).not.toContain(TEST_BACKUP_KEYS.secretKey);
    });
});
