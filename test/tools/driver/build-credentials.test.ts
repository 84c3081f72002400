import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { DeployArgs } from "../../../tools/driver/args";
import { buildCredentialNames, buildSourceTokens, secretValuesOf } from "../../../tools/driver/build-credentials";
import { runDeploy } from "../../../tools/driver/orchestrate";
import { BUILD_SOURCE_TOKENS_KEY, buildSourceTokensOf } from "../../../lib/stacks/build-sources";
import { fakeRepos, harness, loadEngineEvents } from "../../helpers/fake-workspace";

/**
 * A private build's token travels from the tenant's own secrets (its app stack config, or the driver's
 * PLATFORM_TENANT_SECRETS entry) to that tenant's own grants stack, which runs its builds, as a secret config of
 * that run only: only the names its builds give, never the tenant's other secrets, never to the platform stack or
 * another tenant's grants stack, redacted from every stream.
 */

const repo = fakeRepos();
const TOKEN = "ghp_tokenOfPrivateProject000000000000";
const PRIVATE = `name: private
owner: {name: Private, email: p@example.com}
quota: {cpu: '2', memory: 4Gi, storage: 10Gi, pods: 10}
services:
  - name: web
    build: {git: https://git.example.com/private/web.git, commit: 4fd5f7d6bba4ba5fcd1a95f4ad6f3fbd8b5dd7a1, credentials: GIT_TOKEN}
    port: 8080
    secretEnv: [API_KEY]
`;

function repoWithPrivateTenant(): string {
    const root = repo();
    fs.mkdirSync(path.join(root, "stacks", "dev", "projects"), { recursive: true });
    fs.writeFileSync(path.join(root, "stacks", "dev", "projects", "private.yaml"), PRIVATE);
    fs.writeFileSync(path.join(root, "stacks", "dev", "projects", "public.yaml"), PRIVATE.replace(", credentials: GIT_TOKEN", "").replace(/private/g, "public"));
    return root;
}

describe("the names and values handed over", () => {
    it("are the names the tenant file's builds give, with values from the app stack first, else the environment", () => {
        const root = repoWithPrivateTenant();
        expect(buildCredentialNames(root, "dev", "private")).toEqual(["GIT_TOKEN"]);
        expect(buildCredentialNames(root, "dev", "public")).toEqual([]);
        expect(buildCredentialNames(root, "dev", "missing")).toEqual([]);
        expect(buildSourceTokens(["GIT_TOKEN"], { GIT_TOKEN: "own", API_KEY: "app" }, { GIT_TOKEN: "env" })).toEqual({ GIT_TOKEN: "own" });
        expect(buildSourceTokens(["GIT_TOKEN"], {}, { GIT_TOKEN: "env", API_KEY: "x" })).toEqual({ GIT_TOKEN: "env" });
        expect(buildSourceTokens(["GIT_TOKEN"], {}, {})).toEqual({});
        expect(secretValuesOf('{"GIT_TOKEN":"a","N":1}')).toEqual({ GIT_TOKEN: "a" });
        expect(secretValuesOf("not json")).toEqual({});
        expect(buildSourceTokensOf({ [BUILD_SOURCE_TOKENS_KEY]: JSON.stringify({ private: { GIT_TOKEN: "a" } }) }, "private")).toEqual({ GIT_TOKEN: "a" });
        expect(buildSourceTokensOf({ [BUILD_SOURCE_TOKENS_KEY]: JSON.stringify({ private: { GIT_TOKEN: "a" } }) }, "public")).toEqual({});
    });
});

describe("the hand-over at the Automation API boundary", () => {
    const args: DeployArgs = { command: "preview", stack: "dev", yes: false, allowProductionDestroy: false, tenants: [], all: true, parallel: 4 };

    const secretConfigOf = (h: ReturnType<typeof harness>, stack: string): Record<string, { value: string; secret: boolean }> =>
        Object.assign({}, ...h.workspaces.get(stack)!.calls.filter((c) => c.method === "setSecretConfig").map((c) => c.options ?? {}));

    it("reads the token from the tenant's app stack config and hands only it, as a secret, to that tenant's grants stack", async () => {
        const root = repoWithPrivateTenant();
        const h = harness(root, { events: loadEngineEvents("drift-none"), output: [`fetching with ${TOKEN}\n`] }, { PULUMI_CONFIG_PASSPHRASE: "x" }, undefined, {
            catalog: ["private", "public"],
            scripts: { "dev--private": { events: loadEngineEvents("drift-none"), config: { "tenant:secrets": JSON.stringify({ GIT_TOKEN: TOKEN, API_KEY: "app-only" }) } } },
        });
        expect(await runDeploy(args, h.deps)).toBe(0);
        const grantsConfig = secretConfigOf(h, "dev--private--grants");
        expect(JSON.parse(grantsConfig[BUILD_SOURCE_TOKENS_KEY]!.value)).toEqual({ private: { GIT_TOKEN: TOKEN } });
        expect(grantsConfig[BUILD_SOURCE_TOKENS_KEY]!.secret).toBe(true);
        // Not the platform stack, not another tenant's grants stack, not the app stack (it has its own secrets).
        for (const stack of ["dev", "dev--public--grants", "dev--private", "dev--public"]) {
            expect(Object.keys(secretConfigOf(h, stack)), stack).not.toContain(BUILD_SOURCE_TOKENS_KEY);
        }
        // Only the private tenant's app stack config was read; the token never reaches a stream unredacted.
        expect(h.opened.filter((o) => o.stackName === "dev--public").length).toBe(1);
        expect(h.stdout()).not.toContain(TOKEN);
    });

    it("falls back to the driver's environment entry of the tenant, and hands nothing when there is no token", async () => {
        const env = { PULUMI_CONFIG_PASSPHRASE: "x", PLATFORM_TENANT_SECRETS: JSON.stringify({ private: { GIT_TOKEN: "from-env", API_KEY: "no" } }) };
        const h = harness(repoWithPrivateTenant(), { events: loadEngineEvents("drift-none") }, env, undefined, { catalog: ["private", "public"] });
        expect(await runDeploy(args, h.deps)).toBe(0);
        expect(JSON.parse(secretConfigOf(h, "dev--private--grants")[BUILD_SOURCE_TOKENS_KEY]!.value)).toEqual({ private: { GIT_TOKEN: "from-env" } });
        expect(Object.keys(secretConfigOf(h, "dev"))).not.toContain(BUILD_SOURCE_TOKENS_KEY);

        const none = harness(repoWithPrivateTenant(), { events: loadEngineEvents("drift-none") }, { PULUMI_CONFIG_PASSPHRASE: "x" }, undefined, { catalog: ["private", "public"] });
        expect(await runDeploy(args, none.deps)).toBe(0);
        for (const stack of ["dev", "dev--private--grants", "dev--public--grants"]) {
            expect(Object.keys(secretConfigOf(none, stack)), stack).not.toContain(BUILD_SOURCE_TOKENS_KEY);
        }
    });
});
