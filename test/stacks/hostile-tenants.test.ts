import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { platformConfigSchema, type PlatformConfig } from "../../lib/config/schema";
import { loadTenantCatalog, otherStackDomains, validateTenantDocuments, type TenantContext } from "../../lib/tenants/load";
import { InputValidationError, type InputProblem } from "../../lib/validation";
import { parseTenantYaml } from "../../lib/tenants/read";
import { PLATFORM_BUCKETS } from "../../lib/conventions";
import { tenantBucketName } from "../../lib/tenants/names";
import { NODE_PORTS, SMTP_PORTS } from "../../lib/network-rules";
import { platformBuckets, platformUsers } from "../../components/minio/values";
import { projectContext } from "../../components/project/common";
import { bucketName, bucketObjectName } from "../../components/project/storage";
import { renderNetworkPolicies } from "../../components/project/network-policies";
import { renderResourceQuota } from "../../components/project/namespace";
import { renderProject } from "../../components/project/render";
import { resourceCollisions } from "../../components/project/urns";
import { stackPlatformConfig } from "../components/project/fixtures";
import { ROOT, runPlan } from "../helpers/synth";
import { errorFileFor } from "../../tools/offline/output-dir";

/**
 * Hostile tenant files (issue 15): one case per class of attack, each refused with the file, the key and a
 * fix, or planned safely (the case says which and why). The last block runs the real program over a
 * catalog of them and checks that nothing was registered.
 */

const dev = stackPlatformConfig("dev");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-hostile-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

type Doc = { file: string; text: string };
const fileOf = (name: string) => `stacks/dev/projects/${name}.yaml`;

/** A minimal valid tenant file named `name`, with `extra` YAML lines at the top level and `service` lines in its one service. */
function tenant(name: string, extra: string[] = [], service: string[] = []): Doc {
    return {
        file: fileOf(name),
        text: [
            `name: ${name}`,
            "owner: {name: Tenant, email: tenant@example.com}",
            "quota: {cpu: '4', memory: 8Gi, storage: 50Gi, pods: 20}",
            ...extra,
            "services:",
            "  - name: web",
            "    image: ghcr.io/example/web:1.4.2",
            "    port: 8080",
            ...service.map((line) => `    ${line}`),
            "",
        ].join("\n"),
    };
}

function context(config: PlatformConfig = dev, extra: Partial<TenantContext> = {}): TenantContext {
    return { config, secretNames: new Map(), stack: "dev", otherStackDomains: otherStackDomains(ROOT, "dev"), catalogChecks: [resourceCollisions(config)], ...extra };
}

function problemsOf(documents: Doc[], config: PlatformConfig = dev): InputProblem[] {
    try {
        validateTenantDocuments(documents, context(config));
    } catch (error) {
        expect(error).toBeInstanceOf(InputValidationError);
        return (error as InputValidationError).problems;
    }
    throw new Error("validation passed, but the input is hostile");
}

/** Asserts a refusal at `file` and `key` whose problem matches, with a fix matching `fix` (or any non-empty fix). */
function expectRefused(documents: Doc[], file: string, key: string, problem: RegExp, fix?: RegExp, config?: PlatformConfig): InputProblem {
    const problems = problemsOf(documents, config);
    const found = problems.find((p) => p.source === file && p.path === key && problem.test(p.problem));
    expect(found, `no problem at ${file} ${key} matching ${problem}; got ${JSON.stringify(problems, null, 2)}`).toBeDefined();
    expect(found!.fix.length).toBeGreaterThan(0);
    if (fix) {
        expect(found!.fix).toMatch(fix);
    }
    return found!;
}

const withGrants = (grants: Record<string, unknown>) => stackPlatformConfig("dev", { projectGrants: grants });

describe("bucket takeover", () => {
    it("loki + bucket chunks and longhornx + bucket backups get buckets of their own, never the platform's (safe result); longhorn itself is refused", () => {
        const [loki, longhorn] = validateTenantDocuments([tenant("loki", ["bucket: {name: chunks}"]), tenant("longhornx", ["bucket: {name: backups}"])], context()).map(
            (t) => bucketName(projectContext(t.spec, dev)),
        );
        expect([loki, longhorn]).toEqual(["loki--chunks", "longhornx--backups"]);
        for (const platform of [...platformBuckets(dev), PLATFORM_BUCKETS.lokiChunks, PLATFORM_BUCKETS.longhornBackups]) {
            expect([loki, longhorn]).not.toContain(platform);
        }
        expect(tenantBucketName("longhorn", "backups")).not.toBe(PLATFORM_BUCKETS.longhornBackups);
        // "longhorn" is the platform's longhorn-system minus "-system": refused before any bucket is named.
        expectRefused([tenant("longhorn", ["bucket: {name: backups}"])], fileOf("longhorn"), "name", /the platform's namespace longhorn-system \("longhorn-system"\) differ only by/);
    });

    it.each([
        ["loki-chunks", PLATFORM_BUCKETS.lokiChunks],
        ["loki-ruler", PLATFORM_BUCKETS.lokiRuler],
        ["longhorn-backups", PLATFORM_BUCKETS.longhornBackups],
        ["platform-etcd-dev", dev.cluster.etcdSnapshots.s3.bucket],
    ])("a project named %s with the default bucket is refused (it would be the platform bucket %s)", (name) => {
        expectRefused([tenant(name, ["bucket: {}"])], fileOf(name), "bucket", /is a platform bucket/, /give the bucket a name/);
    });

    it("the platform buckets the MinIO add-on creates are all on the refused list", () => {
        for (const bucket of platformBuckets(stackPlatformConfig("dev"))) {
            expect(Object.values(PLATFORM_BUCKETS)).toContain(bucket);
        }
    });

    it("MinIO users and policies: tenant policies are bucket-<project> (one per project), platform ones never use that prefix", () => {
        for (const user of platformUsers(stackPlatformConfig("fsn1"))) {
            expect(user.name.startsWith("bucket-")).toBe(false);
        }
        const policies = validateTenantDocuments([tenant("shop", ["bucket: {}"]), tenant("shop2", ["bucket: {}"])], context()).map((t) => bucketObjectName(projectContext(t.spec, dev)));
        expect(policies).toEqual(["bucket-shop", "bucket-shop2"]);
    });

    it("a + bucket b-c and a-b + bucket c would get two buckets, and cannot both exist (safe result); '--' inside a name is refused", () => {
        expect(tenantBucketName("aa", "b-c")).not.toBe(tenantBucketName("aa-b", "c"));
        expectRefused([tenant("aa", ["bucket: {name: b-c}"]), tenant("aa-b", ["bucket: {name: c}"])], fileOf("aa-b"), "name", /differ only by a "-<suffix>"/);
        expectRefused([tenant("shop", ["bucket: {name: x--y}"])], fileOf("shop"), "bucket.name", /without '--'/);
        expectRefused([tenant("a--b")], fileOf("a--b"), "name", /without '--'/);
    });
});

describe("privileges come from platform:projectGrants, never from the tenant file", () => {
    it("trust: trusted in the file alone is refused with the fix naming the grant", () => {
        expectRefused([tenant("shop", ["trust: trusted"])], fileOf("shop"), "trust", /cannot grant itself trust/, /platform:projectGrants\.shop in Pulumi\.dev\.yaml/);
    });

    it("trust granted by the stack config: the project runs without gVisor (safe, decided by the operators)", () => {
        const config = withGrants({ shop: { trust: "trusted" } });
        const [shop] = validateTenantDocuments([tenant("shop", ["trust: trusted"])], context(config));
        const workload = renderProject(shop!.spec, config).services[0]!.workload;
        expect(workload.spec!.template.spec!.runtimeClassName).toBeUndefined();
        const [untrusted] = validateTenantDocuments([tenant("shop")], context(config));
        expect(renderProject(untrusted!.spec, config).services[0]!.workload.spec!.template.spec!.runtimeClassName).toBe("gvisor");
    });

    it("an extra egress port, a custom domain and a git source that are not granted are each refused", () => {
        const doc = tenant("shop", ["egress: {ports: [{port: 30303}]}", "git: {repoURL: 'https://github.com/example/shop.git'}"], ["expose: {public: true, customDomains: [shop.example.org]}"]);
        const problems = problemsOf([doc]);
        expect(problems.map((p) => [p.path, p.fix])).toEqual(
            expect.arrayContaining([
                ["egress.ports[0]", expect.stringContaining("egressPorts: [{port: 30303, protocol: TCP}] to platform:projectGrants.shop in Pulumi.dev.yaml")],
                ["services[web].expose.customDomains[0]", expect.stringContaining("customDomains: [shop.example.org] to platform:projectGrants.shop")],
                ["git.repoURL", expect.stringContaining("git: [https://github.com/example/shop.git] to platform:projectGrants.shop")],
            ]),
        );
        const granted = withGrants({ shop: { egressPorts: [{ port: 30303 }], customDomains: ["example.org"], git: ["https://github.com/example/"] } });
        expect(validateTenantDocuments([doc], context(granted))).toHaveLength(1);
    });

    it("the stack config cannot grant a forbidden port, a domain in the platform's space, one domain to two projects or a bad git source", () => {
        const result = platformConfigSchema.safeParse({
            ...rawDevConfig(),
            projectGrants: {
                shop: { egressPorts: [{ port: 6443 }], customDomains: ["platform.example.com", "shop.example.org"], git: ["file:///srv/git/repo"] },
                store: { customDomains: ["www.shop.example.org"] },
            },
        });
        expect(result.success).toBe(false);
        const paths = result.error!.issues.map((i) => i.path.join("."));
        expect(paths).toEqual(
            expect.arrayContaining(["projectGrants.shop.egressPorts.0.port", "projectGrants.shop.customDomains.0", "projectGrants.shop.git.0", "projectGrants.store.customDomains.0"]),
        );
    });
});

function rawDevConfig(): Record<string, unknown> {
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    const parsed = parseTenantYaml(text, "Pulumi.dev.yaml");
    const config = ("data" in parsed ? (parsed.data as { config: Record<string, unknown> }).config : {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(config).filter(([k]) => k.startsWith("platform:")).map(([k, v]) => [k.slice("platform:".length), v]));
}

describe("egress ports and ranges", () => {
    const forbidden = [6443, 10250, 2379, 2380, 9345, 22, 9100, 10254, 8472, 41641, ...SMTP_PORTS];
    it.each(forbidden)("port %i is refused in the tenant file, even when the config tried to grant it", (port) => {
        const doc = tenant("chain", [`egress: {ports: [{port: ${port}, protocol: TCP}]}`]);
        expectRefused([doc], fileOf("chain"), "egress.ports[0].port", SMTP_PORTS.includes(port) ? /SMTP/ : /node port/, SMTP_PORTS.includes(port) ? /HTTPS API/ : /never opened to tenants/);
        expect(platformConfigSchema.safeParse({ ...rawDevConfig(), projectGrants: { chain: { egressPorts: [{ port }] } } }).success).toBe(false);
    });

    it("the node port list covers the k3s inbound rules (API, supervisor, kubelet, etcd, flannel) and SSH", () => {
        const listed = NODE_PORTS.map((p) => p.port);
        for (const port of [22, 6443, 10250, 2379, 2380, 8472, 51820, 51821, 5001, 9100]) {
            expect(listed).toContain(port);
        }
    });

    it("granted extra ports never reach link-local (whole 169.254.0.0/16), private, tailnet or loopback ranges, nor any IPv6 address (safe result)", () => {
        const config = withGrants({ chain: { egressPorts: [{ port: 30303 }] } });
        const [chain] = validateTenantDocuments([tenant("chain", ["egress: {ports: [{port: 30303}]}"])], context(config));
        const policies = renderNetworkPolicies(projectContext(chain!.spec, config));
        const blocks = policies.flatMap((p) => (p.spec?.egress ?? []).flatMap((r) => (r.to ?? []).flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []))));
        expect(blocks.length).toBeGreaterThan(0);
        for (const block of blocks) {
            expect(block.cidr).toBe("0.0.0.0/0");
            expect(block.except).toEqual(expect.arrayContaining(["169.254.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8"]));
        }
    });
});

describe("quantities, counts and paths", () => {
    it.each([
        ["limits.memory", "resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: '0'}}", "services[web].resources.limits.memory"],
        ["limits.cpu", "resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: '0', memory: 256Mi}}", "services[web].resources.limits.cpu"],
        ["requests.cpu", "resources: {requests: {cpu: 0m, memory: 128Mi}, limits: {memory: 256Mi}}", "services[web].resources.requests.cpu"],
    ])("a zero %s is refused", (_, line, key) => {
        expectRefused([tenant("shop", [], [line])], fileOf("shop"), key, /more than zero/, /positive quantity/);
    });

    it.each([
        ["/", "services[web].tmpDirs[0]", /whole root/],
        ["/proc", "services[web].tmpDirs[0]", /kubelet and the kernel/],
        ["/dev/shm", "services[web].tmpDirs[0]", /kubelet and the kernel/],
        ["/sys", "services[web].tmpDirs[0]", /kubelet and the kernel/],
        ["/etc", "services[web].tmpDirs[0]", /kubelet and the kernel/],
        ["/var/run/secrets/kubernetes.io", "services[web].tmpDirs[0]", /kubelet and the kernel/],
        ["/var", "services[web].tmpDirs[0]", /contains \/var\/run\/secrets/],
        ["/tmp/../etc", "services[web].tmpDirs[0]", /not a normalized path/],
        ["/tmp/", "services[web].tmpDirs[0]", /not a normalized path/],
        ["tmp", "services[web].tmpDirs[0]", /absolute path/],
    ])("tmpDir %s is refused", (dir, key, problem) => {
        expectRefused([tenant("shop", [], [`tmpDirs: ['${dir}']`])], fileOf("shop"), key, problem, /absolute, normalized directory/);
    });

    it("a volume on /proc, a path mounted twice and too many tmpDirs are refused", () => {
        expectRefused([tenant("shop", [], ["volumes: [{name: data, size: 1Gi, mountPath: /proc/self}]"])], fileOf("shop"), "services[web].volumes[data].mountPath", /kubelet and the kernel/);
        expectRefused([tenant("shop", [], ["tmpDirs: [/tmp, /data]", "volumes: [{name: data, size: 1Gi, mountPath: /data}]"])], fileOf("shop"), "services[web].volumes[data].mountPath", /mounted twice/);
        expectRefused([tenant("shop", [], ["tmpDirs: [/tmp, /tmp]"])], fileOf("shop"), "services[web].tmpDirs[1]", /mounted twice/);
        const many = Array.from({ length: 9 }, (_, i) => `/scratch/${i}`).join(", ");
        expectRefused([tenant("shop", [], [`tmpDirs: [${many}]`])], fileOf("shop"), "services[web].tmpDirs", /<=8 items/);
    });

    it.each([
        ["/", /whole root/],
        ["/dev", /kubelet and the kernel/],
        ["/data/../etc", /not a normalized path/],
        ["data", /absolute path/],
    ])("a volume mounted on %s is refused", (mountPath, problem) => {
        expectRefused([tenant("shop", [], [`volumes: [{name: data, size: 1Gi, mountPath: '${mountPath}'}]`])], fileOf("shop"), "services[web].volumes[data].mountPath", problem);
    });

    it("more than 8 volumes are refused", () => {
        const volumes = Array.from({ length: 9 }, (_, i) => `{name: v${i}, size: 1Gi, mountPath: /data/${i}}`).join(", ");
        expectRefused([tenant("shop", [], [`volumes: [${volumes}]`])], fileOf("shop"), "services[web].volumes", /<=8 items/);
    });

    it("emptyDir space is counted by the namespace quota and bounded by the stack (safe result, and refusal above the bound)", () => {
        const [shop] = validateTenantDocuments([tenant("shop", [], ["replicas: 3", "tmpDirs: [/tmp, /var/cache/app]"])], context());
        const hard = renderResourceQuota(projectContext(shop!.spec, dev)).spec!.hard!;
        // 3 replicas + 1 surge pod, each 2 × 1Gi tmpDirs + 256Mi logs, plus 2Gi headroom
        expect(hard["limits.ephemeral-storage"]).toBe(`${4 * (2 * 1024 + 256) + 2048}Mi`);
        expect(hard["requests.ephemeral-storage"]).toBe(hard["limits.ephemeral-storage"]);
        const tight = stackPlatformConfig("dev", { tenantLimits: { maxEphemeralStorage: "4Gi" } });
        expectRefused([tenant("shop", [], ["replicas: 3", "tmpDirs: [/tmp, /var/cache/app]"])], fileOf("shop"), "services", /maxEphemeralStorage/, undefined, tight);
    });

    it("unbounded lists are refused: 51 services, 101 env entries", () => {
        const services = Array.from({ length: 51 }, (_, i) => `  - {name: s${i}, image: 'ghcr.io/example/web:1.4.2', port: 8080}`);
        const doc = { file: fileOf("shop"), text: ["name: shop", "owner: {name: T, email: t@example.com}", "quota: {cpu: '4', memory: 8Gi, storage: 50Gi, pods: 20}", "services:", ...services, ""].join("\n") };
        expectRefused([doc], fileOf("shop"), "services", /too big|at most 50|<=50/i);
        const env = `env: {${Array.from({ length: 101 }, (_, i) => `V${i}: x`).join(", ")}}`;
        expectRefused([tenant("shop", [], [env])], fileOf("shop"), "services[web].env", /at most 100 entries/);
    });
});

describe("tenant files as files: symlinks, devices, directories, size, YAML alias bombs", () => {
    function catalog(name: string, populate: (dir: string) => void): string {
        const root = path.join(scratch, name);
        const dir = path.join(root, "stacks", "dev", "projects");
        fs.mkdirSync(dir, { recursive: true });
        populate(dir);
        return root;
    }
    function loadProblems(root: string): InputProblem[] {
        try {
            loadTenantCatalog(root, "dev", context());
        } catch (error) {
            expect(error).toBeInstanceOf(InputValidationError);
            return (error as InputValidationError).problems;
        }
        throw new Error("the catalog loaded, but it is hostile");
    }

    it("a symlink to /dev/zero is refused without reading it", () => {
        const root = catalog("zero", (dir) => fs.symlinkSync("/dev/zero", path.join(dir, "zero.yaml")));
        const started = Date.now();
        expect(loadProblems(root)).toEqual([expect.objectContaining({ source: fileOf("zero"), path: "(file)", problem: expect.stringMatching(/symbolic link/), fix: expect.stringMatching(/replace the link/) })]);
        expect(Date.now() - started).toBeLessThan(2000);
    });

    it("a symlink to a directory, a directory named *.yaml and a symlink to a valid tenant file are refused", () => {
        const root = catalog("links", (dir) => {
            fs.symlinkSync("/etc", path.join(dir, "etc.yaml"));
            fs.mkdirSync(path.join(dir, "folder.yaml"));
            fs.writeFileSync(path.join(scratch, "outside.yaml"), tenant("outside").text);
            fs.symlinkSync(path.join(scratch, "outside.yaml"), path.join(dir, "outside.yaml"));
        });
        const problems = loadProblems(root);
        expect(problems.map((p) => [p.source, p.path, /symbolic link|not a regular file/.test(p.problem)])).toEqual([
            [fileOf("etc"), "(file)", true],
            [fileOf("folder"), "(file)", true],
            [fileOf("outside"), "(file)", true],
        ]);
    });

    it("an oversized file is refused before parsing", () => {
        const root = catalog("big", (dir) => fs.writeFileSync(path.join(dir, "big.yaml"), `${tenant("big").text}# ${"x".repeat(300 * 1024)}\n`));
        expect(loadProblems(root)).toEqual([expect.objectContaining({ source: fileOf("big"), path: "(file)", problem: expect.stringMatching(/more than the 262144 a tenant file may have/) })]);
    });

    it("an alias bomb in secretEnv is refused fast, before the value is expanded", () => {
        const bomb = [
            "x1: &a [A_VALUE, A_VALUE, A_VALUE, A_VALUE, A_VALUE, A_VALUE, A_VALUE, A_VALUE, A_VALUE]",
            ...["b", "c", "d", "e", "f", "g", "h", "i"].map((anchor, i) => `x${i + 2}: &${anchor} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`),
        ];
        const text = tenant("bomb", [], [`secretEnv: *i`]).text.replace("services:", `${bomb.join("\n")}\nservices:`);
        const started = Date.now();
        const problems = problemsOf([{ file: fileOf("bomb"), text }]);
        expect(Date.now() - started).toBeLessThan(2000);
        expect(problems).toEqual([expect.objectContaining({ source: fileOf("bomb"), path: "(file)", problem: expect.stringMatching(/expands too many YAML aliases/), fix: expect.stringMatching(/at most 50 alias/) })]);
    });

    it("several YAML documents in one file are refused", () => {
        expectRefused([{ file: fileOf("shop"), text: `${tenant("shop").text}---\n${tenant("shop").text}` }], fileOf("shop"), "(file)", /more than one YAML document/);
    });
});

describe("resource identities, hosts and domains", () => {
    it("two tenants whose names join to the same resource URN are refused, naming both files", () => {
        // project a + service deployment-x and project a-deployment + service x both name a Deployment "a-deployment-deployment-x".
        const first = tenant("aa").text.replace("name: web", "name: deployment-x");
        const second = tenant("aa-deployment").text.replace("name: web", "name: x");
        // Refused by the namespace-prefix rule (a project id may not be another one plus "-<suffix>"), which makes
        // every such join impossible; the URN check (lib/tenants/load.ts) stays behind it.
        const problem = expectRefused([{ file: fileOf("aa"), text: first }, { file: fileOf("aa-deployment"), text: second }], fileOf("aa-deployment"), "name", /differ only by a "-<suffix>"/, /choose an id/);
        expect(problem.problem).toContain(fileOf("aa"));
    });

    it("name normalisation: shop.yml and shop.yaml, or Shop.yaml, cannot both be project shop", () => {
        expectRefused([tenant("shop"), { file: "stacks/dev/projects/shop.yml", text: tenant("shop").text }], "stacks/dev/projects/shop.yml", "name", /already declared in stacks\/dev\/projects\/shop\.yaml/);
        expectRefused([{ file: "stacks/dev/projects/Shop.yaml", text: tenant("shop").text }], "stacks/dev/projects/Shop.yaml", "name", /must live in shop\.yaml/);
        expectRefused([{ file: fileOf("shop"), text: tenant("shop").text.replace("name: shop", "name: Shop") }], fileOf("shop"), "name", /lowercase/);
    });

    it.each([
        ["dev.platform.example.com", /is the platform domain/],
        ["platform.example.com", /is a parent zone of the platform domain/],
        ["example.com", /is a parent zone of the platform domain/],
        ["web.shop.fsn1.platform.example.com", /inside the platform domain fsn1\.platform\.example\.com of stack fsn1/],
        ["hel1.platform.example.com", /of stack hel1/],
    ])("custom domain %s is refused even when granted", (domain, problem) => {
        const granted = { ...dev, projectGrants: { shop: { trust: "untrusted" as const, egressPorts: [], customDomains: [domain], git: [], publicPorts: [] } } };
        expectRefused([tenant("shop", [], [`expose: {public: true, customDomains: [${domain}]}`])], fileOf("shop"), "services[web].expose.customDomains[0]", problem, undefined, granted);
    });

    it("a custom domain that takes another project's platform host is blamed on the taker, naming the owner, whichever sorts first", () => {
        const taker = tenant("aaa", [], ["expose: {public: true, customDomains: [web.zzz.dev.platform.example.com]}"]);
        const owner = tenant("zzz", [], ["expose: {public: true}"]);
        const problems = problemsOf([taker, owner]);
        expect(problems.filter((p) => p.source === fileOf("zzz"))).toEqual([]);
        expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ source: fileOf("aaa"), path: "services[web].expose.customDomains[0]", problem: `host web.zzz.dev.platform.example.com is already served by ${fileOf("zzz")} services[web] (platform host)` })]));
    });
});

describe("git sources", () => {
    it.each([
        "file:///srv/git/platform.git",
        "http://github.com/example/shop.git",
        "git://github.com/example/shop.git",
        "https://169.254.169.254/latest/user-data",
        "https://2852039166/latest/user-data",
        "https://[::1]/repo.git",
        "https://[fd7a:115c:a1e0::1]/repo.git",
        "https://10.0.0.5/repo.git",
        "https://100.100.100.100/repo.git",
        "https://localhost/repo.git",
        "https://argocd-server.argocd.svc/repo.git",
        "https://minio.minio.svc.cluster.local:9000/repo.git",
        "https://minio/repo.git",
        "https://gitea.monitoring/repo.git",
        "https://user:hunter2@github.com/example/shop.git",
        "https://github.com/example/../platform/infra.git",
    ])("repoURL %s is refused", (url) => {
        expectRefused([tenant("shop", [`git: {repoURL: '${url}'}`])], fileOf("shop"), "git.repoURL", /./, /repoURL: https:\/\/github\.com/);
    });

    it.each(["../platform", "/etc", "k8s/../../x", "k8s//prod"])("path %s is refused", (gitPath) => {
        expectRefused([tenant("shop", [`git: {repoURL: 'https://github.com/example/shop.git', path: '${gitPath}'}`])], fileOf("shop"), "git.path", /relative/, /path: k8s\/prod/);
    });

    it("an ssh source is accepted only when granted; https under a granted prefix is accepted (safe result)", () => {
        const ssh = tenant("shop", ["git: {repoURL: 'ssh://git@git.example.org/shop/deploy.git', path: k8s}"]);
        expectRefused([ssh], fileOf("shop"), "git.repoURL", /not granted/);
        const config = withGrants({ shop: { git: ["ssh://git@git.example.org/shop/deploy.git"] } });
        expect(validateTenantDocuments([ssh], context(config))[0]!.spec.git!.repoURL).toBe("ssh://git@git.example.org/shop/deploy.git");
    });
});

describe("secrets in plain env", () => {
    it.each([
        ["DB_PASSWORD", "hunter2", /named like a credential \(PASSWORD\)/],
        ["API_TOKEN", "abc", /named like a credential \(TOKEN\)/],
        ["STRIPE_KEY", "abc", /named like a credential \(KEY\)/],
        ["DATABASE_URL", "postgres://app:s3cr3t@db.example.org/app", /looks like a URL with a password/],
        ["GITHUB", "ghp_0123456789abcdefghijABCDEFGHIJ012345", /looks like a GitHub token/],
        ["UPSTREAM", "AKIAIOSFODNN7EXAMPLE", /looks like an AWS access key/],
    ])("%s is refused with the fix to move it to secretEnv", (name, value, problem) => {
        expectRefused([tenant("shop", [], [`env: {${name}: '${value}'}`])], fileOf("shop"), `services[web].env.${name}`, problem, new RegExp(`move it to secretEnv: \\[${name}\\]`));
    });

    it("ordinary settings stay in env (safe result)", () => {
        const [shop] = validateTenantDocuments([tenant("shop", [], ["env: {LOG_LEVEL: info, REDIS_URL: 'redis://redis:6379/0', CONSUMER_GROUP: ledger-writer-group}"])], context());
        expect(shop!.spec.services[0]!.env).toEqual({ LOG_LEVEL: "info", REDIS_URL: "redis://redis:6379/0", CONSUMER_GROUP: "ledger-writer-group" });
    });
});

describe("the program refuses a hostile catalog before registering anything", () => {
    function writeCatalog(name: string, documents: Doc[], links: Array<[string, string]> = []): string {
        const root = path.join(scratch, `plan-${name}`);
        const dir = path.join(root, "stacks", "dev", "projects");
        fs.mkdirSync(dir, { recursive: true });
        for (const doc of documents) {
            fs.writeFileSync(path.join(root, doc.file), doc.text);
        }
        for (const [file, target] of links) {
            fs.symlinkSync(target, path.join(dir, file));
        }
        return root;
    }
    function readError(outDir: string): { registeredResources: number; problems: InputProblem[] } {
        return JSON.parse(fs.readFileSync(errorFileFor(outDir), "utf8"));
    }

    it("one run: every class reported with file and key, nothing registered", async () => {
        const catalogRoot = writeCatalog(
            "classes",
            [
                tenant("loki-chunks", ["bucket: {}"]),
                tenant("selfgrant", ["trust: trusted"]),
                tenant("ports", ["egress: {ports: [{port: 10250}]}"]),
                tenant("zerolimit", [], ["resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: '0'}}"]),
                tenant("domain", [], ["expose: {public: true, customDomains: [platform.example.com]}"]),
                tenant("repo", ["git: {repoURL: 'https://169.254.169.254/x', path: ../up}"]),
                tenant("mounts", [], ["tmpDirs: [/proc]"]),
                tenant("leak", [], ["env: {DB_PASSWORD: hunter2}"]),
            ],
            [
                ["zero.yaml", "/dev/zero"],
                ["dir.yaml", "/etc"],
            ],
        );
        const run = await runPlan("dev", { outDir: path.join(scratch, "out-classes"), catalogRoot });
        expect(run.code, run.stderr).toBe(1);
        const error = readError(run.outDir);
        expect(error.registeredResources).toBe(0);
        const seen = error.problems.map((p) => `${p.source} ${p.path}`);
        expect(seen).toEqual(
            expect.arrayContaining([
                `${fileOf("loki-chunks")} bucket`,
                `${fileOf("selfgrant")} trust`,
                `${fileOf("ports")} egress.ports[0].port`,
                `${fileOf("zerolimit")} services[web].resources.limits.memory`,
                `${fileOf("domain")} services[web].expose.customDomains[0]`,
                `${fileOf("repo")} git.repoURL`,
                `${fileOf("repo")} git.path`,
                `${fileOf("mounts")} services[web].tmpDirs[0]`,
                `${fileOf("leak")} services[web].env.DB_PASSWORD`,
                `${fileOf("zero")} (file)`,
                `${fileOf("dir")} (file)`,
            ]),
        );
        expect(error.problems.every((p) => p.fix.length > 0)).toBe(true);
        expect(fs.existsSync(path.join(run.outDir, "plan.json"))).toBe(false);
    }, 120_000);

    it("a URN collision alone (both files otherwise valid) stops the program with nothing registered", async () => {
        const catalogRoot = writeCatalog("urn", [
            { file: fileOf("aa"), text: tenant("aa").text.replace("name: web", "name: deployment-x") },
            { file: fileOf("aa-deployment"), text: tenant("aa-deployment").text.replace("name: web", "name: x") },
        ]);
        const run = await runPlan("dev", { outDir: path.join(scratch, "out-urn"), catalogRoot });
        expect(run.code, run.stderr).toBe(1);
        const error = readError(run.outDir);
        expect(error.registeredResources).toBe(0);
        // The catalog is read in file-name order (aa-deployment.yaml sorts before aa.yaml): the later file is blamed, naming the earlier.
        expect(error.problems).toEqual([expect.objectContaining({ source: fileOf("aa"), path: "name", problem: expect.stringMatching(/aa-deployment-deployment-x.*|.*aa-deployment\.yaml/) })]);
        expect(error.problems[0]!.problem).toContain(fileOf("aa-deployment"));
    }, 120_000);
});
