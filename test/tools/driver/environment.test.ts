import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultBackendUrl, displayBackendUrl, localBackendDirectory, readDeployEnvironment, SECRET_ENV_MAPPINGS, tenantSecretsById } from "../../../tools/driver/environment";
import { availableStacks, readStackFile, snapshotFile, stackFilePath } from "../../../tools/driver/stack-file";

const REPO = path.resolve(__dirname, "..", "..", "..");

describe("environment → secret config", () => {
    it("maps every documented variable to its config key, as a secret", () => {
        const env: NodeJS.ProcessEnv = { PULUMI_CONFIG_PASSPHRASE: "pass-phrase-1" };
        SECRET_ENV_MAPPINGS.forEach((mapping, index) => {
            env[mapping.env] = mapping.env === "PLATFORM_TENANT_SECRETS" ? JSON.stringify({ shop: { API_KEY: "shop-api-key-1" } }) : `value-${index}-xyz`;
        });
        const result = readDeployEnvironment(env, "/repo");
        expect(result.problems).toEqual([]);
        expect(Object.fromEntries(Object.entries(result.secretConfig).map(([key, value]) => [key, value.secret]))).toEqual({
            "hcloud:token": true,
            "tailscale:apiKey": true,
            "tailscale:oauthClientId": true,
            "tailscale:oauthClientSecret": true,
            "platform:robotUser": true,
            "platform:robotPassword": true,
            "platform:etcdS3AccessKey": true,
            "platform:etcdS3SecretKey": true,
            "platform:backupS3AccessKey": true,
            "platform:backupS3SecretKey": true,
            "platform:hetznerDnsToken": true,
        });
        expect(result.secretConfig["hcloud:token"]?.value).toBe("value-0-xyz");
        // Tenant secrets never go to the platform stack: each tenant stack gets its own (orchestrate.ts).
        expect(Object.keys(result.secretConfig)).not.toContain("tenant:secrets");
        expect(tenantSecretsById(env)).toEqual({ shop: { API_KEY: "shop-api-key-1" } });
        // Every value, each tenant secret on its own and the passphrase are redaction targets.
        expect(result.secretValues).toEqual(expect.arrayContaining(["value-0-xyz", "value-10-xyz", "shop-api-key-1", "pass-phrase-1"]));
    });

    it("treats empty variables as absent (GitHub expands a missing secret to an empty string)", () => {
        const result = readDeployEnvironment({ PULUMI_CONFIG_PASSPHRASE: "", HCLOUD_TOKEN: "", TAILSCALE_API_KEY: "tskey-api-1" }, "/repo");
        expect(Object.keys(result.secretConfig)).toEqual(["tailscale:apiKey"]);
        // An empty passphrase is still a passphrase for the CLI.
        expect(result.problems).toEqual([]);
    });

    it("rejects malformed tenant secrets without echoing them", () => {
        const result = readDeployEnvironment({ PULUMI_CONFIG_PASSPHRASE: "p", PLATFORM_TENANT_SECRETS: JSON.stringify({ shop: { TOKEN: 42 }, blog: "pw-blog-123" }) }, "/repo");
        expect(result.problems).toEqual(["PLATFORM_TENANT_SECRETS.shop.TOKEN must be a string.", "PLATFORM_TENANT_SECRETS.blog must be an object of NAME → string value."]);
        expect(result.problems.join(" ")).not.toContain("pw-blog-123");
    });
});

describe("backend and secrets provider", () => {
    it("defaults to a file backend inside the repository", () => {
        const result = readDeployEnvironment({ PULUMI_CONFIG_PASSPHRASE: "p" }, "/work/main");
        expect(result.backendUrl).toBe("file:///work/main/.pulumi-state");
        expect(result.defaultBackend).toBe(true);
        expect(defaultBackendUrl("/work/main")).toBe("file:///work/main/.pulumi-state");
        expect(localBackendDirectory(result.backendUrl)).toBe("/work/main/.pulumi-state");
        expect(localBackendDirectory("s3://bucket")).toBeUndefined();
    });

    it("refuses the throw-away default backend in CI", () => {
        expect(readDeployEnvironment({ CI: "true", PULUMI_CONFIG_PASSPHRASE: "p" }, "/repo").problems).toHaveLength(1);
        expect(readDeployEnvironment({ CI: "false", PULUMI_CONFIG_PASSPHRASE: "p" }, "/repo").problems).toEqual([]);
        expect(readDeployEnvironment({ CI: "true", PULUMI_CONFIG_PASSPHRASE: "p", PULUMI_BACKEND_URL: "s3://state" }, "/repo").problems).toEqual([]);
    });

    it("needs a passphrase unless the backend is Pulumi Cloud or a KMS provider is used", () => {
        expect(readDeployEnvironment({}, "/repo").problems[0]).toMatch(/set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE/);
        expect(readDeployEnvironment({ PULUMI_BACKEND_URL: "https://api.pulumi.com" }, "/repo").problems).toEqual([]);
        expect(readDeployEnvironment({ PULUMI_SECRETS_PROVIDER: "awskms://alias/platform" }, "/repo").problems).toEqual([]);
        expect(readDeployEnvironment({}, "/repo", { secretsProvider: "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k" }).problems).toEqual([]);
        expect(readDeployEnvironment({ PULUMI_BACKEND_URL: "https://api.pulumi.com" }, "/repo", { secretsProvider: "passphrase" }).problems).toHaveLength(1);
    });

    it("accepts a passphrase file and redacts its content", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-env-"));
        try {
            const file = path.join(dir, "passphrase");
            fs.writeFileSync(file, "file-pass-phrase\n");
            const result = readDeployEnvironment({ PULUMI_CONFIG_PASSPHRASE_FILE: file }, "/repo");
            expect(result.problems).toEqual([]);
            expect(result.secretValues).toContain("file-pass-phrase");
            expect(readDeployEnvironment({ PULUMI_CONFIG_PASSPHRASE_FILE: path.join(dir, "missing") }, "/repo").problems[0]).toContain("does not exist");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("hides credentials in a printed backend URL", () => {
        expect(displayBackendUrl("postgres://pulumi:s3cret@db.internal:5432/state")).toBe("postgres://***@db.internal:5432/state");
        expect(displayBackendUrl("s3://platform-state?region=fsn1")).toBe("s3://platform-state?region=fsn1");
    });
});

describe("stack files", () => {
    it("reads platform:environment of the shipped stacks with js-yaml", () => {
        expect(availableStacks(REPO)).toEqual(expect.arrayContaining(["dev", "fsn1", "hel1"]));
        expect(readStackFile(stackFilePath(REPO, "fsn1")).environment).toBe("production");
        expect(readStackFile(stackFilePath(REPO, "hel1")).environment).toBe("staging");
        expect(readStackFile(stackFilePath(REPO, "dev")).environment).toBe("dev");
    });

    it("reads secretsprovider and reports unparsable files by name", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-stack-"));
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.a.yaml"), "secretsprovider: awskms://alias/x\nencryptionsalt: v1:abc\nconfig:\n  platform:environment: dev\n");
            expect(readStackFile(path.join(dir, "Pulumi.a.yaml"))).toMatchObject({ environment: "dev", secretsProvider: "awskms://alias/x" });
            fs.writeFileSync(path.join(dir, "Pulumi.b.yaml"), "config: [unclosed\n");
            expect(() => readStackFile(path.join(dir, "Pulumi.b.yaml"))).toThrow(/Pulumi\.b\.yaml is not valid YAML/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("restores a snapshot only when the file changed", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-snap-"));
        try {
            const file = path.join(dir, "Pulumi.dev.yaml");
            fs.writeFileSync(file, "# comment kept\nconfig:\n  platform:environment: dev\n");
            const untouched = snapshotFile(file);
            expect(untouched()).toBe(false);
            const restore = snapshotFile(file);
            fs.appendFileSync(file, "  hcloud:token:\n    secure: v1:xyz\n");
            expect(restore()).toBe(true);
            expect(fs.readFileSync(file, "utf8")).toBe("# comment kept\nconfig:\n  platform:environment: dev\n");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
