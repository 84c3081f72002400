import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synthesize } from "../../../tools/offline/mock-engine";
import { computedContract, grantsPlanConfig } from "../../../tools/offline/stack-plans";
import { readStackConfig, syntheticSecrets } from "../../../tools/offline/stack-files";
import { GRANTS_PROJECT, grantsStackName } from "../../../lib/stacks/naming";
import { BUILD_SOURCE_TOKENS_KEY } from "../../../lib/stacks/build-sources";
import { sourceSecretName } from "../../../lib/registry";
import { ROOT } from "../../helpers/synth";

/**
 * The grants stack runs the project's builds, so a private source's token handed to it by the driver
 * (`builds:sourceTokens`, only this project's entry) reaches its ProjectGrants: the builds namespace gets the
 * project's source Secret with the handed value (without one ProjectGrants stops, naming where the tenant sets it:
 * test/components/builds/source-credentials.test.ts).
 */

const id = "paas-app";
const TOKEN = "glpat-handedToTheGrantsStack0000";
let catalogRoot: string;

beforeAll(() => {
    // The dev catalog with paas-app's build made private (its file names the token's secret value).
    catalogRoot = fs.mkdtempSync(path.join(os.tmpdir(), "grants-build-sources-"));
    fs.cpSync(path.join(ROOT, "stacks", "dev", "projects"), path.join(catalogRoot, "stacks", "dev", "projects"), { recursive: true });
    const file = path.join(catalogRoot, "stacks", "dev", "projects", `${id}.yaml`);
    const text = fs.readFileSync(file, "utf8");
    const withToken = text.replace(/^(\s+)builder: dockerfile$/m, "$1builder: dockerfile\n$1credentials: GIT_TOKEN");
    expect(withToken).not.toBe(text);
    fs.writeFileSync(file, withToken);
    process.env.PLATFORM_CATALOG_ROOT = catalogRoot;
});

afterAll(() => {
    delete process.env.PLATFORM_CATALOG_ROOT;
    fs.rmSync(catalogRoot, { recursive: true, force: true });
});

async function planGrants(extra: Record<string, string>, extraSecretKeys: string[]) {
    const stackConfig = readStackConfig(ROOT, "dev");
    const { config, secretKeys } = grantsPlanConfig("dev", id, computedContract("dev", { ...syntheticSecrets(stackConfig), ...stackConfig }, id));
    return synthesize({ stack: grantsStackName("dev", id), project: GRANTS_PROJECT, config: { ...config, ...extra }, secretKeys: [...secretKeys, ...extraSecretKeys], loadProgram: () => import("../../../programs/grants/index") });
}

describe("a private build source in the grants stack (programs/grants)", () => {
    it("writes the handed token into the project's source Secret of the builds namespace", async () => {
        const plan = await planGrants({ [BUILD_SOURCE_TOKENS_KEY]: JSON.stringify({ [id]: { GIT_TOKEN: TOKEN } }) }, [BUILD_SOURCE_TOKENS_KEY]);
        const secret = plan.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs as any).metadata?.name === sourceSecretName(id));
        expect(secret, "the build-source Secret").toBeDefined();
        expect((secret!.inputs as any).metadata.namespace).toBe("builds");
        expect(JSON.stringify(secret!.inputs)).toContain(TOKEN);
    }, 240_000);
});
