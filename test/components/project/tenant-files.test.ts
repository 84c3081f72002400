import { describe, expect, it } from "vitest";
import { InputValidationError, type InputProblem } from "../../../lib/validation";
import { validateTenantDocuments } from "../../../lib/tenants/load";
import { NO_GRANT, type PlatformConfig } from "../../../lib/config/schema";
import { PROJECT_EXAMPLES } from "../../../lib/tenants/schema";
import { exampleSecretNames, exampleTenants, stackPlatformConfig, TENANT_STACKS, tenantDocuments } from "./fixtures";

const dev = stackPlatformConfig("dev");
const FILE = "stacks/dev/projects/shop.yaml";

const BASE = [
    "name: shop",
    "owner: {name: Shop team, email: shop@example.com}",
    "quota: {cpu: '4', memory: 8Gi, storage: 50Gi, pods: 20}",
    "services:",
    "  - name: web",
    "    image: ghcr.io/example/web:1.4.2",
    "    port: 8080",
].join("\n");

type Doc = { file: string; text: string };

function validate(documents: Doc[], secretNames = new Map<string, Set<string>>()) {
    return validateTenantDocuments(documents, { config: dev, secretNames });
}

/** Validates and returns the problems; fails the test when validation passes or throws something else. */
function problemsOf(documents: Doc[], secretNames?: Map<string, Set<string>>): { problems: InputProblem[]; message: string } {
    try {
        validate(documents, secretNames);
    } catch (error) {
        expect(error).toBeInstanceOf(InputValidationError);
        return { problems: (error as InputValidationError).problems, message: (error as Error).message };
    }
    throw new Error("validation passed, but the document is invalid");
}

/** Like problemsOf, against another stack config. */
function problemsOfWith(config: PlatformConfig, documents: Doc[]): { problems: InputProblem[] } {
    try {
        validateTenantDocuments(documents, { config, secretNames: new Map() });
    } catch (error) {
        expect(error).toBeInstanceOf(InputValidationError);
        return { problems: (error as InputValidationError).problems };
    }
    throw new Error("validation passed, but the documents are invalid");
}

/** Asserts one problem at `path` in `file` whose text matches, with a fix, and that the message shows all three. */
function expectProblem(documents: Doc[], file: string, path: string, problem: RegExp, fix?: RegExp): void {
    const { problems, message } = problemsOf(documents);
    const found = problems.find((p) => p.source === file && p.path === path && problem.test(p.problem));
    expect(found, `no problem at ${file} ${path} matching ${problem}; got ${JSON.stringify(problems, null, 1)}`).toBeDefined();
    expect(found!.fix.length).toBeGreaterThan(0);
    if (fix) {
        expect(found!.fix).toMatch(fix);
    }
    expect(message).toContain(`${file}:`);
    expect(message).toContain(`- ${path}: ${found!.problem}`);
    expect(message).toContain(`fix: ${found!.fix}`);
}

const doc = (text: string, file = FILE): Doc => ({ file, text });

describe("valid tenant files", () => {
    it("the base document validates (the cases below change one thing each)", () => {
        expect(validate([doc(BASE)]).map((p) => p.spec.name)).toEqual(["shop"]);
    });

    it.each(TENANT_STACKS)("the example tenants of stack %s validate against the stack's Pulumi.<stack>.yaml", (stack) => {
        const tenants = exampleTenants(stack);
        expect(tenants.length).toBeGreaterThan(0);
        expect(tenants.map((t) => t.file)).toEqual(tenantDocuments(stack).map((d) => d.file));
        for (const tenant of tenants) {
            expect(tenant.file).toBe(`stacks/${stack}/projects/${tenant.spec.name}.yaml`);
        }
    });

    it("the dev stack stays small: at most two tenants, each within the default tenant limits", () => {
        const tenants = exampleTenants("dev");
        expect(tenants.length).toBeLessThanOrEqual(2);
        expect(dev.tenantLimits).toEqual({ maxCpu: "16", maxMemory: "64Gi", maxStorage: "1Ti", maxBucketSize: "100Gi", maxPods: 200, maxEphemeralStorage: "100Gi", maxDatabaseInstances: 3, overcommit: 1.5 });
    });

    it("the examples cover the seeds: overlay with MySQL and MongoDB, a chain node with metrics, a Caracal-like backend", () => {
        const all = TENANT_STACKS.flatMap((s) => exampleTenants(s).map((t) => t.spec));
        expect(all.some((p) => p.database?.engine === "mysql" && p.mongodb !== undefined && p.services.some((s) => s.uses.includes("mongodb")))).toBe(true);
        expect(all.some((p) => p.services.some((s) => s.volumes.some((v) => v.size.endsWith("Gi") && parseInt(v.size, 10) >= 100) && s.metrics))).toBe(true);
        expect(all.some((p) => p.database?.engine === "postgresql" && p.redis !== undefined && p.services.some((s) => s.uses.includes("redis")) && p.services.length >= 3)).toBe(true);
    });

    it("each stack's example tenants would fail against a stack that forbids their registries", () => {
        const config = { ...stackPlatformConfig("fsn1"), allowedRegistries: ["registry.example.com"] };
        expect(() => validateTenantDocuments(tenantDocuments("fsn1"), { config, secretNames: exampleSecretNames("fsn1") })).toThrow(/is not allowed on this stack/);
    });
});

describe("bad tenant files fail with file, path and fix", () => {
    it("unknown keys, at the top and inside a service", () => {
        expectProblem([doc(`${BASE}\ncolour: blue`)], FILE, "colour", /unknown key "colour"/, /remove it, or use one of: .*services/);
        expectProblem([doc(BASE.replace("    port: 8080", "    port: 8080\n    replica: 2"))], FILE, "services[web].replica", /unknown key "replica"/, /replicas/);
    });

    it("the mutable tag latest", () => {
        expectProblem([doc(BASE.replace("web:1.4.2", "web:latest"))], FILE, "services[web].image", /mutable tag "latest"/, /image: ghcr\.io\/example\/web:1\.4\.2/);
    });

    it("an image without a tag", () => {
        expectProblem([doc(BASE.replace("web:1.4.2", "web"))], FILE, "services[web].image", /has no tag/);
    });

    it("a quota above the stack's tenant limits", () => {
        const text = BASE.replace("quota: {cpu: '4', memory: 8Gi, storage: 50Gi, pods: 20}", "quota: {cpu: '64', memory: 512Gi, storage: 50Ti, pods: 1000}");
        expectProblem([doc(text)], FILE, "quota.cpu", /exceeds the stack's per-tenant limit 16/, /cpu: 16 or less/);
        expectProblem([doc(text)], FILE, "quota.memory", /exceeds the stack's per-tenant limit 64Gi/);
        expectProblem([doc(text)], FILE, "quota.storage", /exceeds the stack's per-tenant limit 1Ti/);
        expectProblem([doc(text)], FILE, "quota.pods", /exceeds the stack's per-tenant limit 200/);
    });

    it("services that cannot fit their own quota at full scale", () => {
        const text = BASE.replace("    port: 8080", "    port: 8080\n    replicas: 3\n    resources: {requests: {cpu: '2', memory: 2Gi}, limits: {memory: 3Gi}}");
        expectProblem([doc(text)], FILE, "quota.cpu", /requests 8000m CPU/, /cpu: 8000m or more/);
        expectProblem([doc(text)], FILE, "quota.memory", /memory limits add up to 12Gi/);
        const storage = BASE.replace("    port: 8080", "    port: 8080\n    replicas: 2\n    volumes: [{name: data, size: 30Gi, mountPath: /data}]");
        expectProblem([doc(storage)], FILE, "quota.storage", /need 60Gi but quota.storage is 50Gi/);
    });

    it("a request above its limit", () => {
        const text = BASE.replace("    port: 8080", "    port: 8080\n    resources: {requests: {cpu: 100m, memory: 512Mi}, limits: {memory: 256Mi}}");
        expectProblem([doc(text)], FILE, "services[web].resources", /requests\.memory 512Mi exceeds limits\.memory 256Mi/);
    });

    it("a database version the platform does not pin", () => {
        expectProblem([doc(`${BASE}\ndatabase: {engine: mysql, version: '5.7'}`)], FILE, "database.version", /mysql 5\.7 is not offered/, /one of 8\.0, 8\.4/);
    });

    it("duplicate project names (shop.yaml and shop.yml)", () => {
        const second = "stacks/dev/projects/shop.yml";
        expectProblem([doc(BASE), doc(BASE, second)], second, "name", /already declared in stacks\/dev\/projects\/shop\.yaml/, /unique name/);
    });

    it("a file named differently from its project", () => {
        expectProblem([doc(BASE, "stacks/dev/projects/store.yaml")], "stacks/dev/projects/store.yaml", "name", /must live in shop\.yaml/, /rename the file/);
    });

    it("duplicate hosts across projects", () => {
        const withDomain = (name: string) =>
            BASE.replace("name: shop", `name: ${name}`).replace("    port: 8080", "    port: 8080\n    expose: {public: true, customDomains: [shop.example.org]}");
        const other = "stacks/dev/projects/store.yaml";
        // The stack config refuses granting one domain to two projects; this config bypasses that check so
        // the catalog's own cross-check is what is tested.
        const config = { ...dev, projectGrants: { shop: { ...NO_GRANT, customDomains: ["shop.example.org"] }, store: { ...NO_GRANT, customDomains: ["shop.example.org"] } } };
        const { problems } = problemsOfWith(config, [doc(withDomain("shop")), doc(withDomain("store"), other)]);
        expect(problems).toEqual([
            expect.objectContaining({ source: other, path: "services[web].expose.customDomains[0]", problem: "host shop.example.org is already served by stacks/dev/projects/shop.yaml services[web]" }),
        ]);
    });

    it.each([["'*.example.org'"], ["Shop.Example.org"], ["shop.example.org."], ["localhost"], ["shop_1.example.org"]])("an invalid custom domain %s", (domain) => {
        const text = BASE.replace("    port: 8080", `    port: 8080\n    expose: {public: true, customDomains: [${domain}]}`);
        expectProblem([doc(text)], FILE, "services[web].expose.customDomains[0]", /fully qualified domain name/, /customDomains: \[shop\.example\.org\]/);
    });

    it("a custom domain inside the platform domain", () => {
        const text = BASE.replace("    port: 8080", "    port: 8080\n    expose: {public: true, customDomains: [other.shop.dev.platform.example.com]}");
        expectProblem([doc(text)], FILE, "services[web].expose.customDomains[0]", /is inside the platform domain dev\.platform\.example\.com/);
    });

    it("a secretEnv name the stack has no value for", () => {
        const text = BASE.replace("    port: 8080", "    port: 8080\n    secretEnv: [API_KEY]");
        expectProblem([doc(text)], FILE, "services[web].secretEnv[0]", /secret API_KEY is not set/, /pulumi config set --secret --path 'tenant:secrets\.API_KEY' <value> --stack [a-z0-9<>-]+--shop --cwd programs\/tenant/);
        expect(validate([doc(text)], new Map([["shop", new Set(["API_KEY"])]]))).toHaveLength(1);
    });

    it("names reserved for the platform: namespaces and component names", () => {
        expectProblem([doc(BASE.replace("name: shop", "name: monitoring"), "stacks/dev/projects/monitoring.yaml")], "stacks/dev/projects/monitoring.yaml", "name", /system or platform namespace/);
        expectProblem([doc(BASE.replace("  - name: web", "  - name: database"))], FILE, "services[database].name", /reserved for platform objects/);
        expectProblem([doc(BASE.replace("  - name: web", "  - name: web-headless"))], FILE, "services[web-headless].name", /reserved for platform objects/);
    });

    it("service names in the database's name space (the platform's backup Secret, CloudNativePG's Services and ServiceAccounts)", () => {
        for (const name of ["database-backup-s3", "database-rw", "database-g2"]) {
            expectProblem([doc(BASE.replace("  - name: web", `  - name: ${name}`))], FILE, `services[${name}].name`, /database's name space .*database-backup-s3/, /rename the service/);
        }
        expect(validate([doc(BASE.replace("  - name: web", "  - name: databases"))])).toHaveLength(1);
    });

    it("environment the platform injects for the database or bucket", () => {
        const text = BASE.replace("    port: 8080", "    port: 8080\n    env: {DATABASE_HOST: db}") + "\ndatabase: {engine: postgresql}";
        expectProblem([doc(text)], FILE, "services[web].env", /DATABASE_HOST is set by the platform/);
    });

    it("database restores and instances: a newer generation, a backup target to read, within the platform's limit", () => {
        const restore = (db: string) => `${BASE}\ndatabase: ${db}`;
        expectProblem([doc(restore("{engine: postgresql, restore: {fromGeneration: 0}}"))], FILE, "database.generation", /must create a newer generation/, /^generation: 1$/);
        expectProblem([doc(restore("{engine: postgresql, generation: 1, restore: {fromGeneration: 0, targetTime: 'yesterday'}}"))], FILE, "database.restore.targetTime", /RFC 3339/);
        expectProblem([doc(restore("{engine: mysql, instances: 2}"))], FILE, "database.instances", /a MySQL cluster runs 1, 3 or 5 nodes/, /instances: 3/);
        expectProblem([doc(restore("{engine: mysql, generation: 1, restore: {fromGeneration: 0}}"))], FILE, "database.restore.backup", /a MySQL restore starts from a full backup/, /database-2026-11-30-03:00:21-full/);
        expectProblem([doc(restore("{engine: postgresql, instances: 4, size: 1Gi}"))], FILE, "database.instances", /4 instances exceed the platform limit of 3/, /maxDatabaseInstances/);
        // The dev stack has one run node: a replica would have nowhere to go.
        expectProblem([doc(restore("{engine: postgresql, instances: 2, size: 1Gi}"))], FILE, "database.instances", /2 instances need 2 nodes for tenant pods, this stack has 1/, /^instances: 1$/);
        const noTarget = stackPlatformConfig("dev", { backup: {} });
        const { problems } = problemsOfWith(noTarget, [doc(restore("{engine: postgresql, generation: 1, restore: {fromGeneration: 0}}"))]);
        expect(problems.find((p) => p.path === "database.restore")?.problem).toMatch(/no backup target \(platform:backup\.s3\)/);
        // Review 19, minor 8b: a MySQL cluster without the stack's backup target is the file's problem, not a policy violation.
        const mysqlWithout = problemsOfWith(noTarget, [doc(restore("{engine: mysql}"))]).problems.find((p) => p.path === "database.engine");
        expect(mysqlWithout?.problem).toMatch(/a MySQL database backs up to the stack's off-cluster target, and this stack has none \(platform:backup\.s3\)/);
        expect(validateTenantDocuments([doc(restore("{engine: postgresql}"))], { config: noTarget, secretNames: new Map() })[0]!.spec.database?.engine).toBe("postgresql");
        // The database pods pass the same registry allow-list as every tenant pod.
        const dockerOnly = stackPlatformConfig("dev", { allowedRegistries: ["docker.io"] });
        expect(problemsOfWith(dockerOnly, [doc(restore("{engine: postgresql}"))]).problems.find((p) => p.path === "database.engine")?.problem).toMatch(/comes from ghcr\.io, which platform:allowedRegistries does not allow/);
        // The valid restore passes.
        expect(validate([doc(restore("{engine: postgresql, generation: 1, restore: {fromGeneration: 0, targetTime: '2026-11-30T23:15:00Z'}}"))])[0]!.spec.database?.restore).toEqual({ fromGeneration: 0, targetTime: "2026-11-30T23:15:00Z" });
    });

    it("a mongodb within the platform's offer: a pinned version, members within the limit and the nodes, allowed registries, a backup target to restore from", () => {
        const mongodb = (spec: string) => `${BASE}\nmongodb: ${spec}`;
        expectProblem([doc(mongodb("{version: '6.0'}"))], FILE, "mongodb.version", /MongoDB 6\.0 is not offered by the platform/, /one of 7\.0, 8\.0/);
        expectProblem([doc(mongodb("{instances: 5, size: 1Gi}"))], FILE, "mongodb.instances", /5 members exceed the platform limit of 3/, /maxDatabaseInstances/);
        // The dev stack has one run node: a second member would have nowhere to go.
        expectProblem([doc(mongodb("{instances: 3, size: 1Gi}"))], FILE, "mongodb.instances", /3 members need 3 nodes for tenant pods, this stack has 1/, /^instances: 1$/);
        expectProblem([doc(mongodb("{instances: 2}"))], FILE, "mongodb.instances", /cannot elect a primary/, /instances: 3/);
        const noTarget = stackPlatformConfig("dev", { backup: {} });
        const { problems } = problemsOfWith(noTarget, [doc(mongodb("{generation: 1, restore: {fromGeneration: 0, backup: '2026-11-30T03:00:21Z'}}"))]);
        expect(problems.find((p) => p.path === "mongodb.restore")?.problem).toMatch(/no backup target \(platform:backup\.s3\)/);
        expect(problemsOfWith(noTarget, [doc(mongodb("{}"))]).problems.find((p) => p.path === "mongodb")?.problem).toMatch(/a MongoDB backs up to the stack's off-cluster target, and this stack has none/);
        const ghcrOnly = stackPlatformConfig("dev", { allowedRegistries: ["ghcr.io"] });
        expect(problemsOfWith(ghcrOnly, [doc(mongodb("{}"))]).problems.find((p) => p.path === "mongodb")?.problem).toMatch(/MongoDB images come from docker\.io, which platform:allowedRegistries does not allow/);
        expect(validate([doc(mongodb("{version: '8.0', size: 5Gi}"))])[0]!.spec.mongodb).toMatchObject({ version: "8.0", size: "5Gi", instances: 1, generation: 0 });
    });

    it("a redis within the platform's offer: a pinned version, members within the limit and the nodes, allowed registries, a granted backup to restore from", () => {
        const redis = (spec: string) => `${BASE}\nredis: ${spec}`;
        expectProblem([doc(redis("{version: '7.4'}"))], FILE, "redis.version", /Redis 7\.4 is not offered by the platform/, /one of 8\.2/);
        expectProblem([doc(redis("{replicas: 4, size: 1Gi}"))], FILE, "redis.replicas", /4 members exceed the platform limit of 3/, /maxDatabaseInstances/);
        // The dev stack has one run node: a second member would have nowhere to go (required anti-affinity).
        expectProblem([doc(redis("{replicas: 2, size: 1Gi}"))], FILE, "redis.replicas", /2 members need 2 nodes for tenant pods, this stack has 1/, /^replicas: 1$/);
        const dockerOnly = stackPlatformConfig("dev", { allowedRegistries: ["docker.io"] });
        expect(problemsOfWith(dockerOnly, [doc(redis("{}"))]).problems.find((p) => p.path === "redis")?.problem).toMatch(/Redis images come from quay\.io, which platform:allowedRegistries does not allow/);
        const restore = "{generation: 1, restore: {fromGeneration: 0, backup: backup-0123456789abcdef, volume: pvc-0f4c2d1e-6b7a-4c3d-9e8f-1a2b3c4d5e6f}}";
        const ungranted = problemsOf([doc(redis(restore))]).problems.find((p) => p.path === "redis.restore.volume");
        expect(ungranted?.problem).toMatch(/Longhorn volume pvc-0f4c2d1e-6b7a-4c3d-9e8f-1a2b3c4d5e6f is not granted to this project/);
        expect(ungranted?.fix).toMatch(/volumeBackups: \[pvc-0f4c2d1e-6b7a-4c3d-9e8f-1a2b3c4d5e6f\] to platform:projectGrants\.shop/);
        const granted = stackPlatformConfig("dev", { projectGrants: { shop: { volumeBackups: ["pvc-0f4c2d1e-6b7a-4c3d-9e8f-1a2b3c4d5e6f"] } } });
        expect(validateTenantDocuments([doc(redis(restore))], { config: granted, secretNames: new Map() })[0]!.spec.redis).toMatchObject({ generation: 1, replicas: 1, size: "5Gi" });
    });

    it("SMTP egress ports", () => {
        expectProblem([doc(`${BASE}\negress: {ports: [{port: 25}]}`)], FILE, "egress.ports[0].port", /SMTP/, /send mail through a provider's HTTPS API/);
        // Every mail port (SMTP, SMTPS, submission and its common alternative), written out here.
        for (const port of [25, 465, 587, 2525]) {
            expectProblem([doc(`${BASE}\negress: {ports: [{port: ${port}}]}`)], FILE, "egress.ports[0].port", new RegExp(`port ${port} is mail submission \\(SMTP\\)`));
        }
    });

    it("a bucket name longer than the schema allows (project and bucket names are bounded so <project>--<name> fits 63)", () => {
        const name = "s".repeat(30);
        const file = `stacks/dev/projects/${name}.yaml`;
        expectProblem([doc(`${BASE.replace("name: shop", `name: ${name}`)}\nbucket: {name: ${"b".repeat(31)}}`, file)], file, "bucket.name", /at most 30 characters/);
        expect(validate([doc(`${BASE.replace("name: shop", `name: ${name}`)}\nbucket: {name: ${"b".repeat(30)}}`, file)])[0]?.spec.bucket?.name).toHaveLength(30);
    });

    it("a bucket gets a 10Gi quota unless its file sets bucket.size", () => {
        expect(validate([doc(`${BASE}\nbucket: {}`)])[0]!.spec.bucket).toEqual({ size: "10Gi" });
        expect(validate([doc(`${BASE}\nbucket: {name: uploads, size: 20Gi}`)])[0]!.spec.bucket).toEqual({ name: "uploads", size: "20Gi" });
    });

    it("a bucket.size above platform:tenantLimits.maxBucketSize (every bucket shares MinIO's volume)", () => {
        const text = BASE.replace("storage: 50Gi", "storage: 1Ti") + "\nbucket: {size: 101Gi}";
        expectProblem([doc(text)], FILE, "bucket.size", /101Gi exceeds the stack's per-tenant bucket limit 100Gi \(platform:tenantLimits\.maxBucketSize/, /size: 100Gi or less/);
        const larger = stackPlatformConfig("dev", { tenantLimits: { maxBucketSize: "200Gi" } });
        expect(validateTenantDocuments([doc(text)], { config: larger, secretNames: new Map() })[0]!.spec.bucket?.size).toBe("101Gi");
    });

    it("a bucket counts with the volumes against quota.storage", () => {
        const volumes = BASE.replace("    port: 8080", "    port: 8080\n    volumes: [{name: data, size: 45Gi, mountPath: /data}]");
        expect(validate([doc(volumes)])).toHaveLength(1);
        expectProblem([doc(`${volumes}\nbucket: {}`)], FILE, "quota.storage", /the database and the bucket \(bucket\.size 10Gi\) need 55Gi but quota\.storage is 50Gi/, /storage: 55Gi or more, or smaller volumes or a smaller bucket\.size/);
        expectProblem([doc(`${BASE}\nbucket: {size: 60Gi}`)], FILE, "quota.storage", /need 60Gi but quota\.storage is 50Gi/);
    });

    it.each([
        ["a negative size", "'-10Gi'", /must be a Kubernetes quantity/],
        ["zero (MinIO reads it as no quota)", "'0'", /at least 1Mi/],
        ["a few bytes", "'512'", /at least 1Mi/],
        ["not a quantity", "lots", /must be a Kubernetes quantity/],
        ["an exponent (not a Kubernetes suffix here)", "'1e12'", /must be a Kubernetes quantity/],
        ["a YAML number instead of a quantity string", "10737418240", /expected string|string/i],
        ["a YAML list", "[10Gi]", /expected string|string/i],
        ["a YAML null", "null", /expected string|string/i],
        ["a size beyond a whole-byte quota", "9Ei", /too large to be a MinIO quota/],
        ["a string longer than any quantity", `'${"9".repeat(40)}Gi'`, /too_big|at most|32/i],
    ])("a bucket.size that is %s", (_, size, problem) => {
        expectProblem([doc(`${BASE}\nbucket: {size: ${size}}`)], FILE, "bucket.size", problem);
    });

    it("YAML tricks: a merge key is an unknown key (no size comes in through it), a repeated key is refused", () => {
        const merged = `${BASE.replace("storage: 50Gi", "storage: 1Ti")}\nbig: &big {size: 500Gi}\nbucket: {<<: *big, name: uploads}`;
        expect(problemsOf([doc(merged)]).problems.map((p) => `${p.path}: ${p.problem}`).sort()).toEqual(['big: unknown key "big"', 'bucket.<<: unknown key "<<"']);
        expectProblem([doc(`${BASE}\nbucket: {size: 1Gi, size: 500Gi}`)], FILE, "(file)", /Map keys must be unique/);
        // An alias of a scalar is just that scalar: checked like a written one.
        const alias = `${BASE.replace("storage: 50Gi", "storage: 1Ti")}\nbucket: {name: &n uploads, size: 500Gi}`;
        expectProblem([doc(alias)], FILE, "bucket.size", /500Gi exceeds the stack's per-tenant bucket limit 100Gi/);
    });

    it("a bucket that would break the S3 naming rules (reserved prefix xn--)", () => {
        const file = "stacks/dev/projects/xn.yaml";
        expectProblem([doc(`${BASE.replace("name: shop", "name: xn")}\nbucket: {name: data}`, file)], file, "bucket.name", /prefix xn-- that S3 reserves/);
    });

    it("reports every problem of every file at once", () => {
        const { problems } = problemsOf([doc(`${BASE.replace("web:1.4.2", "web:latest")}\ncolour: blue`), doc(BASE.replace("name: shop", "name: store").replace("port: 8080", "port: 0"), "stacks/dev/projects/store.yaml")]);
        expect(problems.map((p) => `${p.source} ${p.path}`).sort()).toEqual(["stacks/dev/projects/shop.yaml colour", "stacks/dev/projects/shop.yaml services[web].image", "stacks/dev/projects/store.yaml services[web].port"]);
    });

    it("keeps the examples table in step with the schema's new keys", () => {
        // Each example shows the key it is for: `egress.ports[].port` → `port: …`.
        for (const key of ["egress", "egress.ports", "egress.ports[].port", "egress.ports[].protocol"]) {
            expect(PROJECT_EXAMPLES[key], key).toMatch(new RegExp(`^${key.split(".").pop()!.replace("[]", "")}: \\S`));
        }
    });
});
