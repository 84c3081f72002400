import * as childProcess from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderBuildPodPolicy } from "../../../components/builds/admission";
import { BUILD_PATHS, BUILDKIT_CONTAINER, FETCH_SCRIPT, renderBuildJob, SOURCE_CONTAINER, SOURCE_TOKEN_FILE } from "../../../components/builds/build-job";
import { projectContext } from "../../../components/project/common";
import { LABELS, NAMESPACES } from "../../../lib/conventions";
import { pushSecretName, sourceSecretName } from "../../../lib/registry";
import { InputValidationError } from "../../../lib/validation";
import { admit } from "../../../tools/offline/admission";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { dependencyNames, ofType, planComponent } from "../../helpers/component-plan";
import { project, stackPlatformConfig } from "../project/fixtures";

/**
 * Private git sources: the token is the tenant's own secret value, handed to the project's grants, written as a
 * secret into the builds namespace's `build-source-<id>` Secret, mounted as a file into the source step of that
 * project's build pods only, sent to git as a header of the one fetch and never left in the build context.
 */

const COMMIT_PLACEHOLDER = "4fd5f7d6bba4ba5fcd1a95f4ad6f3fbd8b5dd7a1";
const TOKEN = "ghp_privateTokenOfShop0123456789";
const dev = stackPlatformConfig("dev");

function privateBuild(commit = COMMIT_PLACEHOLDER, name = "shop") {
    return project({ name, services: [{ name: "web", port: 8080, build: { git: "https://git.example.com/shop/web.git", commit, credentials: "GIT_TOKEN" } }] });
}

describe("the build pod of a private source", () => {
    const spec = privateBuild();
    const job = renderBuildJob(projectContext(spec, dev), spec.services[0]!);
    const pod = job.spec!.template.spec!;
    const containers = [...pod.initContainers!, ...pod.containers];

    it("mounts only the named key of its own project's source Secret, as a file of the source step alone", () => {
        const volume = pod.volumes!.find((v) => v.secret?.secretName === sourceSecretName("shop"))!;
        expect(volume.secret!.items).toEqual([{ key: "GIT_TOKEN", path: "token" }]);
        const mounting = containers.filter((c) => (c.volumeMounts ?? []).some((m) => m.name === volume.name));
        expect(mounting.map((c) => c.name)).toEqual([SOURCE_CONTAINER]);
        expect(mounting[0]!.volumeMounts!.find((m) => m.name === volume.name)).toMatchObject({ readOnly: true, mountPath: path.posix.dirname(SOURCE_TOKEN_FILE) });
        expect(containers.find((c) => c.name === BUILDKIT_CONTAINER)!.volumeMounts!.map((m) => m.name)).not.toContain(volume.name);
    });

    it("puts no credential in any environment variable, build argument or Secret reference of the pod spec", () => {
        for (const c of containers) {
            expect(c.envFrom, c.name).toBeUndefined();
            for (const e of c.env ?? []) {
                expect(e.valueFrom, `${c.name} ${e.name}`).toBeUndefined();
            }
        }
        expect(JSON.stringify(job)).not.toMatch(/build-arg|GIT_TOKEN=/);
    });

    it("is admitted, and a build pod mounting another project's Secret or unlabelled is denied", () => {
        const { policy, binding } = renderBuildPodPolicy();
        const namespaceObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACES.builds, labels: { "kubernetes.io/metadata.name": NAMESPACES.builds } } };
        const decide = (object: unknown) => admit(policy, binding, { object: object as Record<string, unknown>, namespaceObject, operation: "CREATE" });
        expect(decide(job).allowed, decide(job).messages.join("; ")).toBe(true);
        const denied: Array<[string, (j: any) => void, RegExp]> = [
            ["another project's source Secret", (j) => (j.spec.template.spec.volumes.find((v: any) => v.name === "source-credentials").secret.secretName = sourceSecretName("blog")), /read only that project's Secrets/],
            ["another project's push Secret", (j) => (j.spec.template.spec.volumes.find((v: any) => v.name === "registry-push").secret.secretName = pushSecretName("blog")), /read only that project's Secrets/],
            ["billed to another project", (j) => (j.spec.template.metadata.labels[LABELS.project] = "blog"), /read only that project's Secrets/],
            ["no project label", (j) => delete j.spec.template.metadata.labels[LABELS.project], /carry their project's platform\/project label/],
            ["token as an env var", (j) => j.spec.template.spec.initContainers[0].env.push({ name: "GIT_TOKEN", valueFrom: { secretKeyRef: { name: sourceSecretName("shop"), key: "GIT_TOKEN" } } }), /as mounted files/],
        ];
        for (const [what, mutate, message] of denied) {
            const copy = structuredClone(job);
            mutate(copy);
            const result = decide(copy);
            expect(result.allowed, what).toBe(false);
            expect(result.messages.join("; "), what).toMatch(message);
        }
    });
});

/**
 * The source step's script against a git server that requires the token (git http-backend behind a local HTTP
 * server with Basic auth, the way GitHub and GitLab take a token): it fetches the commit with the token and leaves
 * no trace of it in the source volume, which is the build context.
 */
describe("the source step against a private git server", () => {
    let server: http.Server;
    let url: string;
    let commit: string;
    let otherCommit: string;
    let work: string;
    const seenAuthorization: string[] = [];
    const git = (cwd: string, ...args: string[]) => childProcess.execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: work } }).trim();

    beforeAll(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "build-source-"));
        const origin = path.join(work, "origin");
        fs.mkdirSync(origin);
        git(origin, "init", "-q", "-b", "main");
        fs.writeFileSync(path.join(origin, "index.js"), "console.log('hello')\n");
        fs.symlinkSync("/", path.join(origin, "link"));
        git(origin, "add", "index.js", "link");
        git(origin, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "first");
        commit = git(origin, "rev-parse", "HEAD");
        // For the fetch-by-ref fallback, commits that no ref advertises (a v0 server lets clients want advertised
        // tips only): `commit` below main's new tip, and a commit of branch `other` only, below its tip.
        const later = (file: string) => {
            fs.writeFileSync(path.join(origin, file), "1\n");
            git(origin, "add", file);
            git(origin, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", file);
        };
        git(origin, "checkout", "-q", "-b", "other");
        later("other.js");
        otherCommit = git(origin, "rev-parse", "HEAD");
        later("other-2.js");
        git(origin, "checkout", "-q", "main");
        later("later.js");
        git(work, "clone", "-q", "--bare", origin, path.join(work, "repos", "web.git"));
        const expected = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`;
        server = http.createServer((request, response) => {
            seenAuthorization.push(request.headers.authorization ?? "");
            if (request.headers.authorization !== expected) {
                response.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' });
                response.end();
                return;
            }
            const [rawPath, query = ""] = (request.url ?? "").split("?");
            // Below /v0/: a server speaking protocol v0 only, refusing unadvertised objects (no fetch by commit id).
            const v0 = rawPath!.startsWith("/v0/");
            const pathInfo = v0 ? rawPath!.slice(3) : rawPath;
            // git-http-backend(1) as a CGI program; fetching a commit by id needs allowAnySHA1InWant (GitHub allows it).
            const backend = childProcess.spawn("git", [...(v0 ? [] : ["-c", "uploadpack.allowAnySHA1InWant=true"]), "http-backend"], {
                env: {
                    ...process.env,
                    GIT_PROJECT_ROOT: path.join(work, "repos"),
                    GIT_HTTP_EXPORT_ALL: "1",
                    PATH_INFO: pathInfo,
                    QUERY_STRING: query,
                    REQUEST_METHOD: request.method,
                    CONTENT_TYPE: request.headers["content-type"] ?? "",
                    GIT_PROTOCOL: v0 ? "" : String(request.headers["git-protocol"] ?? ""),
                    REMOTE_USER: "x-access-token",
                },
            });
            request.pipe(backend.stdin);
            const chunks: Buffer[] = [];
            backend.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
            backend.on("close", () => {
                const output = Buffer.concat(chunks);
                const split = output.indexOf("\r\n\r\n");
                const headers = output.subarray(0, split).toString("utf8").split("\r\n");
                const status = Number(/^Status: (\d+)/m.exec(headers.join("\n"))?.[1] ?? 200);
                for (const line of headers.filter((h) => !h.startsWith("Status:"))) {
                    const at = line.indexOf(":");
                    response.setHeader(line.slice(0, at), line.slice(at + 1).trim());
                }
                response.writeHead(status);
                response.end(output.subarray(split + 4));
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/web.git`;
    }, 60_000);

    afterAll(() => {
        server?.close();
        fs.rmSync(work, { recursive: true, force: true });
    });

    /**
     * Runs the step's script as the pod runs it, with the source volume and the Secret file at temporary paths
     * (asynchronously: the git server answers from this process).
     */
    async function runFetch(name: string, token: string | undefined, buildPath = ".", source_: { v0?: boolean; ref?: string; commit?: string } = {}) {
        const source = path.join(work, name, "src");
        fs.mkdirSync(source, { recursive: true });
        const gitUrl = source_.v0 ? url.replace(/\/web\.git$/, "/v0/web.git") : url;
        const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: path.join(work, name), GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", GIT_URL: gitUrl, GIT_COMMIT: source_.commit ?? commit, BUILD_PATH: path.join(source, buildPath) };
        if (source_.ref !== undefined) {
            env.GIT_REF = source_.ref;
        }
        if (token !== undefined) {
            const file = path.join(work, name, "token");
            fs.writeFileSync(file, token);
            env.GIT_TOKEN_FILE = file;
        }
        const script = FETCH_SCRIPT.replace(`cd ${BUILD_PATHS.source}`, `cd ${JSON.stringify(source)}`);
        const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
            const child = childProcess.spawn("sh", ["-c", script], { env });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
            child.on("close", (status) => resolve({ status, stdout, stderr }));
        });
        return { source, ...result };
    }

    const filesUnder = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isSymbolicLink() ? [] : e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));

    it("fetches the commit with the token and leaves neither the token nor its header in the build context", async () => {
        const run = await runFetch("with-token", TOKEN);
        expect(run.status, run.stderr).toBe(0);
        expect(fs.readFileSync(path.join(run.source, "index.js"), "utf8")).toContain("hello");
        expect(seenAuthorization).toContain(`Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`);
        const encoded = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
        for (const file of filesUnder(run.source)) {
            const text = fs.readFileSync(file).toString("latin1");
            expect(text.includes(TOKEN) || text.includes(encoded), `${path.relative(run.source, file)} holds the token`).toBe(false);
        }
        expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);
        expect(`${run.stdout}${run.stderr}`).not.toContain(encoded);
    });

    it("fetches from a server that refuses commits by id through build.ref, which must hold the commit (review 22b, minor 6)", async () => {
        const byId = await runFetch("v0-by-id", TOKEN, ".", { v0: true });
        expect(byId.status).toBe(1);
        expect(byId.stderr).toContain("name the branch or tag that holds it in build.ref");
        const viaRef = await runFetch("v0-via-ref", TOKEN, ".", { v0: true, ref: "main" });
        expect(viaRef.status, viaRef.stderr).toBe(0);
        expect(fs.readFileSync(path.join(viaRef.source, "index.js"), "utf8")).toContain("hello");
        expect(git(viaRef.source, "rev-parse", "HEAD")).toBe(commit);
        const notInRef = await runFetch("v0-not-in-ref", TOKEN, ".", { v0: true, ref: "main", commit: otherCommit });
        expect(notInRef.status).toBe(1);
        expect(notInRef.stderr).toContain(`commit ${otherCommit} is not in main`);
        // The job hands the ref to the step only when the file names one.
        const withRef = project({ name: "shop", services: [{ name: "web", port: 8080, build: { git: "https://git.example.com/shop/web.git", ref: "main", commit: COMMIT_PLACEHOLDER } }] });
        const env = (spec: typeof withRef) => renderBuildJob(projectContext(spec, dev), spec.services[0]!).spec!.template.spec!.initContainers![0]!.env!;
        expect(env(withRef).find((e) => e.name === "GIT_REF")?.value).toBe("main");
        expect(env(privateBuild()).find((e) => e.name === "GIT_REF")).toBeUndefined();
    });

    it("refuses an app path that leaves the repository through a symlink (review22 #17)", async () => {
        expect((await runFetch("inside", TOKEN, ".")).status).toBe(0);
        expect((await runFetch("escape", TOKEN, "link")).status).toBe(1);
    });

    it("fails without the token, and with a wrong one, without printing it", async () => {
        const without = await runFetch("without-token", undefined);
        expect(without.status).not.toBe(0);
        const wrong = await runFetch("wrong-token", "not-the-token");
        expect(wrong.status).not.toBe(0);
        expect(`${wrong.stdout}${wrong.stderr}`).not.toContain("not-the-token");
    });
});

/** ProjectGrants writes the Secret (marked secret by its own code) before the build Job that mounts it. */
describe("ProjectGrants with a private build source", () => {
    let plan: StackPlan;
    const register = (tokens: Record<string, string>) =>
        planComponent(async (provider) => {
            const k8s = await import("@pulumi/kubernetes");
            const { ProjectGrants } = await import("../../../components/project/grants");
            const { syntheticKubeconfig } = await import("../../../tools/offline/mock-engine");
            new ProjectGrants(
                "shop",
                {
                    project: privateBuild(),
                    config: dev,
                    adminKubeconfig: syntheticKubeconfig("https://127.0.0.1:6443"),
                    deployerNamespace: new k8s.core.v1.Namespace("deployers", {}, { provider }),
                    // Plain strings on purpose: the component itself must mark them secret.
                    buildSourceTokens: tokens,
                },
                { provider },
            );
            return {};
        });

    beforeAll(async () => {
        plan = await register({ GIT_TOKEN: TOKEN, UNRELATED: "not-for-builds" });
    }, 240_000);

    it("writes only the named token, as a secret, into the builds namespace's Secret of the project", () => {
        const secret = ofType(plan, "kubernetes:core/v1:Secret").find((r) => (r.inputs.metadata as { name?: string }).name === sourceSecretName("shop"))!;
        expect((secret.inputs.metadata as { namespace?: string }).namespace).toBe(NAMESPACES.builds);
        expect(secret.inputs.stringData).toEqual({ GIT_TOKEN: TOKEN });
        expect(secret.secretInputs).toContain("stringData");
        expect(secret.additionalSecretOutputs).toEqual(expect.arrayContaining(["data", "stringData"]));
        expect(JSON.stringify(secret.redactedInputs ?? {})).not.toContain(TOKEN);
    });

    it("creates the build Job after the Secret it mounts", () => {
        const job = ofType(plan, "kubernetes:batch/v1:Job").find((j) => (j.inputs.metadata as { namespace?: string }).namespace === NAMESPACES.builds)!;
        const secret = ofType(plan, "kubernetes:core/v1:Secret").find((r) => (r.inputs.metadata as { name?: string }).name === sourceSecretName("shop"))!;
        expect(dependencyNames(plan, job)).toContain(secret.name);
    });

    it("stops before registering anything when the token was not handed over, naming the key and the fix", async () => {
        const { ProjectGrants } = await import("../../../components/project/grants");
        // Thrown before the component registers (no engine needed): nothing of the project is created.
        const attempt = () =>
            new ProjectGrants("shop", { project: privateBuild(), config: dev, adminKubeconfig: "unused", deployerNamespace: {} as never, buildSourceTokenFix: (name) => `pulumi config set --secret --path 'tenant:secrets.${name}' <token> --stack dev--shop` });
        expect(attempt).toThrow(InputValidationError);
        try {
            attempt();
        } catch (error) {
            const problems = (error as InputValidationError).problems;
            expect(problems.map((p) => p.path)).toEqual(["services[0].build.credentials"]);
            expect(problems[0]!.problem).toMatch(/GIT_TOKEN/);
            expect(problems[0]!.fix).toBe("pulumi config set --secret --path 'tenant:secrets.GIT_TOKEN' <token> --stack dev--shop");
        }
    });
});
