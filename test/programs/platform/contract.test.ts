import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { secretByProjectOutput } from "../../../programs/platform/contract";
import { TEST_BACKUP_KEYS } from "../../components/project/fixtures";

describe("platform registry pull passwords output", () => {
    it("is one secret map of project id to that project's value, never the backup bucket's keys, even when the caller has them", async () => {
        const output = (secretByProjectOutput as (...args: unknown[]) => pulumi.Output<unknown>)(
            [
                ["shop", "pull-shop"],
                ["blog", pulumi.output("pull-blog")],
            ],
            TEST_BACKUP_KEYS,
        );
        expect(await pulumi.isSecret(output)).toBe(true);
        const value = await new Promise<unknown>((resolve) => output.apply(resolve));
        expect(value).toEqual({ shop: "pull-shop", blog: "pull-blog" });
        expect(JSON.stringify(value)).not.toContain(TEST_BACKUP_KEYS.secretKey);
    });
});
