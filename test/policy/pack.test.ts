import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { CLUSTER_POLICIES, NETWORK_POLICIES, POLICIES, SECRETS_POLICIES, TENANCY_POLICIES, WORKLOAD_POLICIES } from "../../policy/rules";
import { DEFAULT_PACK_CONFIG, POLICY_PACK_NAME, initialPackConfig } from "../../policy/lib/config";
import { PLATFORM_NAMESPACES } from "../../lib/conventions";
import { importedSpecifiers } from "../helpers/imports";

const ROOT = path.resolve(__dirname, "../..");
const POLICY_DIR = path.join(ROOT, "policy");

/** The catalogue's hygiene rules: advisory; everything else blocks. */
const ADVISORY = ["workload-read-only-root-filesystem", "workload-probes", "workload-image-digest", "workload-no-service-account-token"];

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(full);
        return entry.name.endsWith(".ts") ? [full] : [];
    });
}

/**
 * What `policy/index.ts` loads, transitively: the files (type imports included, the CLI type-checks them with
 * ts-node) and the packages they name (`@scope/name`, `name`; a module name only, so a specifier-like text in a
 * string is not one).
 */
function packClosure(entry: string): { files: string[]; packages: string[] } {
    const files = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
        if (files.has(file)) return;
        files.add(file);
        for (const specifier of importedSpecifiers(fs.readFileSync(file, "utf8"))) {
            if (specifier.startsWith(".")) {
                const base = path.resolve(path.dirname(file), specifier);
                visit([`${base}.ts`, path.join(base, "index.ts"), base].find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile())!);
            } else if (/^[@\w][^\s]*$/.test(specifier)) {
                packages.add(specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!);
            }
        }
    };
    visit(entry);
    return { files: [...files].map((f) => path.relative(ROOT, f)).sort(), packages: [...packages].sort() };
}

/** The packages of `packages` that are neither Node.js built-ins nor dependencies of policy/package.json. */
function undeclaredPackages(packages: readonly string[]): string[] {
    const declared = Object.keys((JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies);
    return packages.filter((name) => !name.startsWith("node:") && !builtinModules.includes(name) && !declared.includes(name));
}

describe("what the pack loads from outside policy/", () => {
    const closure = packClosure(path.join(POLICY_DIR, "index.ts"));

    it("is the shared names and rules of the repository, each a decision (the pack runs from this checkout, never published alone)", () => {
        expect(closure.files.filter((f) => !f.startsWith(`policy${path.sep}`))).toEqual(["charts/images.ts", "lib/conventions.ts", "lib/network-rules.ts", "lib/stacks/naming.ts", "lib/tenants/names.ts"]);
    });

    it("names no package policy/package.json does not declare (checked: one it does not declare is found)", () => {
        expect(undeclaredPackages(["@pulumi/kubernetes", "node:fs", "zlib", "js-yaml"])).toEqual(["@pulumi/kubernetes"]);
        expect(closure.packages).toContain("@pulumi/policy");
        expect(undeclaredPackages(closure.packages)).toEqual([]);
    });
});

describe("the rule list", () => {
    it("has unique, group-prefixed names and every rule in exactly one group", () => {
        const names = POLICIES.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        const groups = { workload: WORKLOAD_POLICIES, tenancy: TENANCY_POLICIES, network: NETWORK_POLICIES, cluster: CLUSTER_POLICIES, secrets: SECRETS_POLICIES };
        for (const [prefix, policies] of Object.entries(groups)) {
            for (const policy of policies) expect(policy.name).toMatch(new RegExp(`^${prefix}-[a-z0-9-]+$`));
        }
        expect(Object.values(groups).flat()).toEqual([...POLICIES]);
        expect(POLICIES).toHaveLength(62);
    });

    it("sets the catalogue's levels: advisory for hygiene, mandatory for security", () => {
        expect(POLICIES.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name).sort()).toEqual([...ADVISORY].sort());
        expect(POLICIES.filter((p) => !ADVISORY.includes(p.name)).every((p) => p.enforcementLevel === "mandatory")).toBe(true);
    });

    it("describes every rule and rates its severity", () => {
        for (const policy of POLICIES) {
            expect(policy.description.length, policy.name).toBeGreaterThan(10);
        }
        // Critical: a breach hands over a node, the cluster or the tailnet; high: a tenant escapes its limits or
        // a credential leaks; medium: hygiene the platform relies on; low: advisory hardening.
        const bySeverity = (severity: string) => POLICIES.filter((p) => p.severity === severity).map((p) => p.name).sort();
        expect(bySeverity("critical")).toEqual(
            [
                "workload-no-privileged",
                "workload-no-host-namespaces",
                "workload-no-host-path",
                "workload-no-host-process",
                "tenancy-default-deny-network-policy",
                "tenancy-egress-no-cloud-metadata",
                "tenancy-untrusted-gvisor",
                "tenancy-rbac-no-cluster-bindings",
                "network-tenant-host-space",
                "network-firewall-sensitive-ports",
                "network-server-firewall",
                "network-tailscale-acl",
                "network-untrusted-code-default-deny",
            ].sort(),
        );
        expect(bySeverity("medium")).toEqual(["workload-resources", "workload-image-tag", "tenancy-limit-range", "tenancy-dns-egress", "cluster-k3s-audit-log"].sort());
        expect(bySeverity("low")).toEqual([...ADVISORY].sort());
        // Every other rule is high; nothing is left unrated.
        const rated = new Set([...bySeverity("critical"), ...bySeverity("medium"), ...bySeverity("low")]);
        expect(POLICIES.filter((p) => !rated.has(p.name)).every((p) => p.severity === "high")).toBe(true);
    });

    it("puts each rule in its own module under policy/rules/<group>/", () => {
        const ruleFiles = sourceFiles(path.join(POLICY_DIR, "rules")).filter((f) => path.basename(f) !== "index.ts");
        expect(ruleFiles).toHaveLength(POLICIES.length);
        for (const file of ruleFiles) {
            const text = fs.readFileSync(file, "utf8");
            expect(text.match(/^export const \w+: (ResourceValidationPolicy|StackValidationPolicy) = \{/gm), file).toHaveLength(1);
        }
    });
});

describe("pack config", () => {
    it("defaults to the conventions' platform namespaces, the public registries and HTTP(S) + Tailscale UDP", () => {
        expect(DEFAULT_PACK_CONFIG).toEqual({
            platformNamespaces: [...PLATFORM_NAMESPACES],
            allowedRegistries: ["docker.io", "ghcr.io", "quay.io", "registry.k8s.io"],
            allowedPublicPorts: ["80", "443", "41641/udp"],
            kubernetesVersion: "v1.31",
            // Empty: without a stack's platform:backup.s3 the database rule only wants an outside HTTPS endpoint.
            databaseBackupTarget: { endpointURL: "", destinationPrefix: "" },
            maxDatabaseInstances: 3,
        });
    });

    it("declares each key with its default in the schema of every policy that reads it", () => {
        const readers = (key: string) => POLICIES.filter((p) => p.configSchema?.properties[key] !== undefined).map((p) => p.name);
        expect(readers("allowedRegistries")).toEqual(["workload-image-registry"]);
        expect(readers("allowedPublicPorts")).toEqual(["network-firewall-public-ports"]);
        expect(readers("kubernetesVersion")).toEqual(["workload-safe-sysctls"]);
        expect(readers("databaseBackupTarget")).toEqual(["tenancy-database-cluster", "tenancy-mysql-cluster", "tenancy-mongodb-cluster"]);
        expect(readers("maxDatabaseInstances")).toEqual(["tenancy-database-cluster", "tenancy-redis-replication", "tenancy-mysql-cluster", "tenancy-mongodb-cluster"]);
        expect(readers("platformNamespaces")).toEqual([
            "workload-no-platform-backup-secret",
            "workload-no-operator-selector-labels",
            "tenancy-namespace-labels",
            "tenancy-namespace-pod-security",
            "tenancy-resource-quota",
            "tenancy-limit-range",
            "tenancy-default-deny-network-policy",
            "tenancy-dns-egress",
            "tenancy-no-open-namespace-selector",
            "tenancy-egress-no-cloud-metadata",
            "tenancy-egress-no-smtp",
            "tenancy-untrusted-gvisor",
            "tenancy-pod-placement",
            "tenancy-database-cluster",
            "tenancy-redis-replication",
            "tenancy-mysql-cluster",
            "tenancy-restore-storage-class",
            "tenancy-mongodb-cluster",
            "tenancy-no-operator-secrets",
            "tenancy-rbac-no-cluster-bindings",
            "tenancy-rbac-no-wildcards",
            "network-tenant-service-exposure",
            "network-tenant-host-space",
        ]);
        // Every source file that reads the config belongs to a policy that declares a schema.
        const readingFiles = sourceFiles(path.join(POLICY_DIR, "rules")).filter((f) => /packConfig\(|forTenantNamespaces|\bconfig\.(allowed|platform)/.test(fs.readFileSync(f, "utf8")));
        const declaring = sourceFiles(path.join(POLICY_DIR, "rules")).filter((f) => fs.readFileSync(f, "utf8").includes("configSchema: configSchemaFor("));
        expect(readingFiles.filter((f) => !declaring.includes(f))).toEqual([]);
        expect(initialPackConfig(POLICIES)["workload-image-registry"]).toEqual({ allowedRegistries: ["docker.io", "ghcr.io", "quay.io", "registry.k8s.io"] });
        expect(initialPackConfig([{ name: "no-config" }, { name: "two", configSchema: { properties: { a: { type: "string", default: "x" }, b: { type: "string" } } } }])).toEqual({ two: { a: "x" } });
    });
});

describe("pack files", () => {
    it("PulumiPolicy.yaml runs on nodejs under the pack's name", () => {
        const project = yaml.load(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as Record<string, string>;
        expect(project.runtime).toBe("nodejs");
        expect(project.name).toBe(POLICY_PACK_NAME);
    });

    it("package.json pins the same @pulumi versions as the root (one copy of @pulumi/pulumi, resolved from the root)", () => {
        const pack = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
        const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        const rootVersion = (name: string) => root.dependencies[name] ?? root.devDependencies[name];
        expect(pack.name).toBe("hetzner-platform-policy");
        expect(pack.version).toMatch(/^\d+\.\d+\.\d+$/);
        for (const name of Object.keys({ ...pack.dependencies, ...pack.devDependencies })) {
            expect(({ ...pack.dependencies, ...pack.devDependencies } as Record<string, string>)[name], name).toBe(rootVersion(name));
        }
        expect(pack.dependencies["@pulumi/policy"]).toBe("1.21.0");
        expect(pack.dependencies["@pulumi/pulumi"]).toBe("3.248.0");
        expect(fs.existsSync(path.join(POLICY_DIR, "node_modules")), "policy/node_modules would hold a second @pulumi/pulumi; the pack resolves from the root node_modules").toBe(false);
    });

    it("constructs the PolicyPack only in policy/index.ts, and nothing imports that file", () => {
        const files = sourceFiles(POLICY_DIR);
        expect(files.filter((f) => /new PolicyPack\(/.test(fs.readFileSync(f, "utf8"))).map((f) => path.relative(POLICY_DIR, f))).toEqual(["index.ts"]);
        for (const file of [...files, ...sourceFiles(path.join(ROOT, "tools")), ...sourceFiles(path.join(ROOT, "test", "policy")).filter((f) => !f.endsWith("pack-entry.test.ts"))]) {
            expect(fs.readFileSync(file, "utf8"), file).not.toMatch(/from\s+["'](\.\.?\/)+(policy\/)?index["']|policy\/index["']/);
        }
    });

    it("type-checks with the pack's own tsconfig (the CLI type-checks the pack with ts-node)", () => {
        execFileSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", path.join(POLICY_DIR, "tsconfig.json")], { cwd: POLICY_DIR, stdio: "pipe" });
    }, 120_000);
});

describe("pack config kubernetesVersion", () => {
    it("defaults to the Kubernetes minor every shipped stack runs (the sysctl rule depends on it)", async () => {
        const fs = await import("node:fs");
        const path = await import("node:path");
        const yaml = await import("js-yaml");
        const { shippedStacks } = await import("../../tools/offline/stack-files");
        const root = path.resolve(__dirname, "../..");
        for (const stack of shippedStacks(root)) {
            const file = yaml.load(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, { k3sVersion?: string }> };
            const minor = /^(v\d+\.\d+)\./.exec(file.config["platform:cluster"]?.k3sVersion ?? "")?.[1];
            expect(minor, `Pulumi.${stack}.yaml platform:cluster.k3sVersion`).toBe(DEFAULT_PACK_CONFIG.kubernetesVersion);
        }
    });

    it("rejects a version it cannot read", async () => {
        const { resolvePackConfig } = await import("../../policy/lib/config");
        expect(() => resolvePackConfig({ kubernetesVersion: "latest" })).toThrow(/kubernetesVersion must be a Kubernetes 1.x version/);
        expect(resolvePackConfig({ kubernetesVersion: "v1.32" }).kubernetesVersion).toBe("v1.32");
    });
});
