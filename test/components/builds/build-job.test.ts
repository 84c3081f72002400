import { describe, expect, it } from "vitest";
import { BUILD_IMAGES } from "../../../charts/images";
import { renderBuildPodPolicy } from "../../../components/builds/admission";
import { BUILD_SCRIPT, buildctlArgs, buildIdentity, BUILDKIT_CAPABILITIES, BUILDKIT_CONTAINER, FETCH_SCRIPT, renderBuildJob, renderSourceSecret } from "../../../components/builds/build-job";
import { projectContext } from "../../../components/project/common";
import { LABELS, NAMESPACES } from "../../../lib/conventions";
import { buildName, type BuildIdentity, builtImageReference, PLACEHOLDER_DIGEST, PLACEHOLDER_DIGEST_ANNOTATION, pushSecretName, sourceSecretName } from "../../../lib/registry";
import { BUILD_EXCEPTION } from "../../../policy/lib/catalogue";
import { evaluatePolicies } from "../../../policy/offline";
import { renderWorkload } from "../../../components/project/workloads";
import { admit } from "../../../tools/offline/admission";
import { validateObject } from "../../helpers/k8s-schema";
import { planned } from "../../helpers/policy-fixtures";
import { shellcheck } from "../../helpers/tools";
import { everyExample, project, stackPlatformConfig } from "../project/fixtures";

/**
 * The build of a service's image (components/builds/build-job.ts): named per project/service/commit, on the build
 * pool only, held to the build exception by both the policy pack and the builds namespace's admission policy, and
 * billed to its project through the metering labels.
 */

const COMMIT = "4fd5f7d6bba4ba5fcd1a95f4ad6f3fbd8b5dd7a1";
const OTHER_COMMIT = "9a0c1e2f3b4d5c6e7f8091a2b3c4d5e6f7081920";

/** The build identity of the fixtures' source (schema defaults: path ".", builder railpack) at a commit. */
const identityAt = (commit: string, source: Partial<BuildIdentity> = {}): BuildIdentity => ({ commit, git: "https://github.com/example/web.git", path: ".", builder: "railpack", ...source });
const nameOf = (project: string, service: string, commit: string, source: Partial<BuildIdentity> = {}) => buildName(project, service, identityAt(commit, source));
const dev = stackPlatformConfig("dev");

function built(build: Record<string, unknown> = {}, name = "shop") {
    const spec = project({ name, services: [{ name: "web", port: 8080, build: { git: "https://github.com/example/web.git", commit: COMMIT, ...build } }] });
    const ctx = projectContext(spec, dev);
    return { ctx, service: spec.services[0]!, job: renderBuildJob(ctx, spec.services[0]!) };
}

const podSpecOf = (job: ReturnType<typeof renderBuildJob>) => job.spec!.template.spec!;
const asPlanned = (job: unknown, name = "build") => planned("kubernetes:batch/v1:Job", name, job as Record<string, unknown>);
const mandatory = (job: unknown) => evaluatePolicies([asPlanned(job)]).filter((v) => v.enforcementLevel === "mandatory");

describe("build naming", () => {
    it("is the same for the same project, service and commit, and differs for another commit", () => {
        expect(nameOf("shop", "web", COMMIT)).toBe(nameOf("shop", "web", COMMIT));
        expect(nameOf("shop", "web", COMMIT)).toMatch(/^build-shop-web-4fd5f7d6bba4-[0-9a-f]{10}$/);
        // Ids and names contain "-": pairs that read alike, and commits sharing 12 hex digits, still differ.
        expect(nameOf("a-b", "c", COMMIT)).not.toBe(nameOf("a", "b-c", COMMIT));
        expect(nameOf("shop-eu", "web", COMMIT)).not.toBe(nameOf("shop", "eu-web", COMMIT));
        expect(nameOf("shop", "web", `${COMMIT.slice(0, 12)}${"0".repeat(28)}`)).not.toBe(nameOf("shop", "web", COMMIT));
        expect(nameOf("shop", "web", OTHER_COMMIT)).not.toBe(nameOf("shop", "web", COMMIT));
        expect(nameOf("shop", "api", COMMIT)).not.toBe(nameOf("shop", "web", COMMIT));
        // Rendering twice gives the same Job: a re-run of `pulumi up` at the same commit changes nothing.
        expect(built().job).toEqual(built().job);
        expect(built().job.metadata?.name).toBe(nameOf("shop", "web", COMMIT));
    });

    it("is another build, tag and name, when the same commit is built from another source URL, path or builder", () => {
        const tagOf = (build: Record<string, unknown>) => built(build).service.image!.split("@")[0]!.split(":").at(-1)!;
        const nameOfBuild = (build: Record<string, unknown>) => built(build).job.metadata!.name!;
        const variants = [{}, { path: "apps/web" }, { builder: "dockerfile" }, { git: "https://github.com/example/fork.git" }];
        for (const variant of variants) {
            expect(tagOf(variant)).toMatch(new RegExp(`^${COMMIT}-[0-9a-f]{12}$`));
            expect(tagOf(variant)).toBe(tagOf(variant));
        }
        expect(new Set(variants.map(tagOf)).size).toBe(variants.length);
        expect(new Set(variants.map(nameOfBuild)).size).toBe(variants.length);
        // The build's existence check looks for its own tag, not the commit's (which an older setup pushed).
        for (const variant of variants) {
            const env = built(variant).job.spec!.template.spec!.containers.flatMap((c) => c.env ?? []);
            expect(env.find((e) => e.name === "REGISTRY_MANIFEST_URL")?.value).toBe(`http://registry.platform.internal/v2/shop/web/manifests/${tagOf(variant)}`);
        }
        expect(nameOf("shop", "web", COMMIT, { path: "apps/web" })).not.toBe(nameOf("shop", "web", COMMIT));
    });

    it("stays a valid Job name for long project and service names, still one per triple", () => {
        const project = "a-very-long-project-name-of-forty";
        const service = "and-a-long-service-name-too";
        const names = [nameOf(project, service, COMMIT), nameOf(project, service, OTHER_COMMIT), nameOf(project, `${service}x`, COMMIT)];
        for (const name of names) {
            expect(name.length).toBeLessThanOrEqual(52);
            expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        }
        expect(new Set(names).size).toBe(3);
        expect(nameOf(project, service, COMMIT)).toBe(nameOf(project, service, COMMIT));
    });

    it("pushes the commit's immutable tag under the project's path, which the workload runs by digest", () => {
        const { ctx, service } = built();
        const output = buildctlArgs(ctx, service).find((a) => a.startsWith("--output="));
        expect(output).toMatch(new RegExp(`^--output=type=image,name=registry\\.platform\\.internal/shop/web:${COMMIT}-[0-9a-f]{12},push=true,registry\\.insecure=true$`));
        const tag = /:([^,]+),push/.exec(output!)![1]!;
        expect(service.image).toBe(`${builtImageReference("shop", "web", tag)}@${PLACEHOLDER_DIGEST}`);
        const workload = renderWorkload(ctx, service);
        expect(workload.metadata?.annotations?.[PLACEHOLDER_DIGEST_ANNOTATION]).toMatch(/^placeholder/);
        const pod = workload.spec!.template.spec!;
        expect(pod.imagePullSecrets).toEqual([{ name: "registry-pull" }]);
        expect(pod.containers[0]!.imagePullPolicy).toBe("Always");
        expect(workload.spec!.template.metadata?.labels?.[LABELS.commit]).toBe(COMMIT);
    });
});

describe("the build pod", () => {
    it("runs only on the build pool, tolerating only its taint, without host access or an API token", () => {
        const pod = podSpecOf(built().job);
        expect(pod.nodeSelector).toEqual({ [LABELS.pool]: "build" });
        expect(pod.tolerations).toEqual([{ key: "pool", operator: "Equal", value: "build", effect: "NoSchedule" }]);
        expect(pod.hostNetwork ?? false).toBe(false);
        expect(pod.hostPID ?? false).toBe(false);
        expect(pod.hostIPC ?? false).toBe(false);
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.volumes!.every((v) => v.emptyDir !== undefined || v.secret?.secretName === pushSecretName("shop"))).toBe(true);
        expect(built().job.metadata?.namespace).toBe(NAMESPACES.builds);
        expect(BUILD_EXCEPTION.namespace).toBe(NAMESPACES.builds);
    });

    it("unconfines seccomp and AppArmor only for the BuildKit container, everything else restricted and non-root", () => {
        const pod = podSpecOf(built({ builder: "railpack" }).job);
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        for (const container of [...pod.initContainers!, ...pod.containers]) {
            // RootlessKit's set-uid newuidmap/newgidmap (moby/buildkit#1671): escalation with SETUID/SETGID only.
            const escalation = container.name === BUILDKIT_CONTAINER ? { allowPrivilegeEscalation: true, capabilities: { drop: ["ALL"], add: ["SETUID", "SETGID"] } } : { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
            expect(container.securityContext, container.name).toMatchObject({ privileged: false, runAsNonRoot: true, ...escalation });
            if (container.name !== BUILDKIT_CONTAINER) {
                expect(container.securityContext?.capabilities?.add, container.name).toBeUndefined();
            }
            expect(container.securityContext?.runAsUser, container.name).toBeGreaterThan(0);
            const unconfined = container.securityContext?.seccompProfile?.type === "Unconfined" || container.securityContext?.appArmorProfile?.type === "Unconfined";
            expect(unconfined, container.name).toBe(container.name === BUILDKIT_CONTAINER);
            expect(Object.values(BUILD_IMAGES)).toContain(container.image);
        }
    });

    it("passes the policy pack (the build exception), and loses the exception when it drifts from the platform's Job", () => {
        const { job } = built();
        expect(mandatory(job)).toEqual([]);
        const variants: Array<[string, (pod: any, job: any) => void]> = [
            ["another namespace", (_pod, j) => (j.metadata.namespace = "shop")],
            ["the run pool", (pod) => (pod.nodeSelector = { [LABELS.pool]: "run" })],
            ["a toleration of everything", (pod) => pod.tolerations.push({ operator: "Exists" })],
            ["a hostPath volume", (pod) => pod.volumes.push({ name: "host", hostPath: { path: "/var/lib" } })],
            ["an added capability", (pod) => (pod.containers[0].securityContext.capabilities = { drop: ["ALL"], add: ["SYS_ADMIN"] })],
            ["an unconfined source step", (pod) => (pod.initContainers[0].securityContext = { ...pod.initContainers[0].securityContext, seccompProfile: { type: "Unconfined" } })],
            ["another project's push robot", (pod) => (pod.volumes.find((v: any) => v.secret).secret.secretName = pushSecretName("bank"))],
            ["a host port", (pod) => (pod.containers[0].ports = [{ containerPort: 1234, hostPort: 1234 }])],
            ["an unmasked /proc", (pod) => (pod.containers[0].securityContext.procMount = "Unmasked")],
            ["no project label", (_pod, j) => delete j.spec.template.metadata.labels[LABELS.project]],
            ["a root BuildKit container", (pod) => (pod.containers[0].securityContext.runAsUser = 0)],
        ];
        for (const [what, mutate] of variants) {
            const copy = structuredClone(job) as any;
            mutate(copy.spec.template.spec, copy);
            const policies = mandatory(copy).map((v) => v.policy);
            // Losing the exception brings back every restriction it lifted (for BuildKit: escalation, SETUID/SETGID).
            const lifted = what === "an unconfined source step" ? ["workload-seccomp-profile"] : ["workload-seccomp-profile", "workload-no-privilege-escalation", "workload-capabilities"];
            expect(policies, what).toEqual(expect.arrayContaining(lifted));
        }
        // Escalation is lifted for the BuildKit container only, never for a step beside it.
        const escalatingStep = JSON.parse(JSON.stringify(job)); // not structuredClone: the steps share one securityContext object
        escalatingStep.spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation = true;
        expect(mandatory(escalatingStep).map((v) => v.policy)).toEqual(["workload-no-privilege-escalation"]);
    });

    it("keeps the pack's standalone copy of the exception in step with the renderer (capabilities, Secret names)", () => {
        expect([...BUILD_EXCEPTION.capabilities]).toEqual([...BUILDKIT_CAPABILITIES]);
        expect(BUILD_EXCEPTION.secretPrefixes.map((prefix) => `${prefix}shop`).sort()).toEqual([pushSecretName("shop"), sourceSecretName("shop")].sort());
        expect(BUILD_EXCEPTION.projectLabel).toBe(LABELS.project);
    });

    it("is admitted by the builds namespace's policy, which denies the same drifts in the cluster", () => {
        const { policy, binding } = renderBuildPodPolicy();
        const namespaceObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACES.builds, labels: { "kubernetes.io/metadata.name": NAMESPACES.builds } } };
        const decide = (object: unknown) => admit(policy, binding, { object: object as Record<string, unknown>, namespaceObject, operation: "CREATE" });
        const { job } = built({ builder: "railpack" });
        const decision = decide(job);
        expect(decision.matched).toBe(true);
        expect(decision.allowed, decision.messages.join("; ")).toBe(true);
        // The pod the Job controller creates (with the tolerations DefaultTolerationSeconds adds) is admitted too.
        const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "b-x", namespace: NAMESPACES.builds, labels: job.spec!.template.metadata!.labels }, spec: { ...structuredClone(podSpecOf(job)), tolerations: [...podSpecOf(job).tolerations!, { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }] } };
        expect(decide(pod).allowed, decide(pod).messages.join("; ")).toBe(true);
        const denied: Array<[string, (spec: any) => void, RegExp]> = [
            ["run pool", (s) => (s.nodeSelector = { [LABELS.pool]: "run" }), /build pool only/],
            ["hostPath", (s) => s.volumes.push({ name: "h", hostPath: { path: "/" } }), /hostPath/],
            ["foreign image", (s) => (s.containers[0].image = "docker.io/library/alpine:3.20"), /pinned build images/],
            ["unconfined source step", (s) => (s.initContainers[0].securityContext.appArmorProfile = { type: "Unconfined" }), /only the buildkit container/],
            ["API token", (s) => (s.automountServiceAccountToken = true), /without an API token/],
            ["another project's push robot", (s) => (s.volumes.find((v: any) => v.secret).secret.secretName = pushSecretName("bank")), /only that project's Secrets/],
            ["another project's source token", (s) => (s.initContainers[0].env = [{ name: "GIT_TOKEN", valueFrom: { secretKeyRef: { name: sourceSecretName("bank"), key: "T" } } }]), /only that project's Secrets/],
            ["a root container", (s) => (s.initContainers[0].securityContext.runAsUser = 0), /every build container runs as non-root/],
            ["runAsNonRoot off in a container", (s) => (s.containers[0].securityContext.runAsNonRoot = false), /every build container runs as non-root/],
            ["a host port", (s) => (s.containers[0].ports = [{ containerPort: 1234, hostPort: 1234 }]), /no host ports/],
            ["an unmasked /proc", (s) => (s.containers[0].securityContext.procMount = "Unmasked"), /default \/proc mount/],
            ["an escalating source step", (s) => (s.initContainers[0].securityContext.allowPrivilegeEscalation = true), /only the buildkit container may escalate/],
            ["SYS_ADMIN for BuildKit", (s) => (s.containers[0].securityContext.capabilities.add = ["SETUID", "SYS_ADMIN"]), /only to SETUID and SETGID/],
            ["a privileged BuildKit", (s) => (s.containers[0].securityContext.privileged = true), /unprivileged/],
        ];
        for (const [what, mutate, message] of denied) {
            const copy = structuredClone(job) as any;
            mutate(copy.spec.template.spec);
            const result = decide(copy);
            expect(result.allowed, what).toBe(false);
            expect(result.messages.join("; "), what).toMatch(message);
        }
    });

    it("carries the project's metering labels, the commit and the build log stream (builds are billed to the project)", () => {
        const { job } = built();
        for (const labels of [job.metadata?.labels, job.spec!.template.metadata?.labels]) {
            expect(labels).toMatchObject({ [LABELS.project]: "shop", [LABELS.service]: "web", [LABELS.commit]: COMMIT, [LABELS.logStream]: "build" });
        }
    });

    it("plans with Railpack and its frontend, or builds the Dockerfile at the path", () => {
        const railpack = built({ builder: "railpack", path: "apps/web" });
        expect(podSpecOf(railpack.job).initContainers!.map((c) => c.name)).toEqual(["source", "plan"]);
        expect(buildctlArgs(railpack.ctx, railpack.service)).toEqual(expect.arrayContaining(["--frontend=gateway.v0", `--opt=source=${BUILD_IMAGES.railpackFrontend}`, "--local=context=/workspace/src/apps/web"]));
        // Railpack publishes its CLI only in the frontend image: the plan step runs `/railpack prepare` from the
        // very image BuildKit runs as the frontend (one release for both).
        const plan = podSpecOf(railpack.job).initContainers![1]!;
        expect(plan.image).toBe(BUILD_IMAGES.railpackFrontend);
        expect([...plan.command!, ...plan.args!.slice(0, 2)]).toEqual(["/railpack", "prepare", "/workspace/src/apps/web"]);
        expect(Object.values(BUILD_IMAGES).filter((image) => image.startsWith("ghcr.io/railwayapp/"))).toEqual([BUILD_IMAGES.railpackFrontend]);
        const dockerfile = built({ builder: "dockerfile", path: "apps/web" });
        expect(podSpecOf(dockerfile.job).initContainers!.map((c) => c.name)).toEqual(["source"]);
        expect(buildctlArgs(dockerfile.ctx, dockerfile.service)).toEqual(expect.arrayContaining(["--frontend=dockerfile.v0", "--local=dockerfile=/workspace/src/apps/web"]));
    });

    it("reads a private repository's token from the project's own secret value, never from the file", () => {
        const { ctx, job } = built({ credentials: "GIT_TOKEN" });
        // Mounted as a file of the source step (test/components/builds/source-credentials.test.ts has the rest).
        const env = podSpecOf(job).initContainers![0]!.env!;
        expect(env.find((e) => e.name === "GIT_TOKEN_FILE")?.value).toBe("/run/secrets/git/token");
        expect(podSpecOf(job).volumes!.find((v) => v.name === "source-credentials")?.secret).toMatchObject({ secretName: "build-source-shop", items: [{ key: "GIT_TOKEN", path: "token" }] });
        expect(renderSourceSecret(ctx, { GIT_TOKEN: "t0ken", OTHER: "x" })?.stringData).toEqual({ GIT_TOKEN: "t0ken" });
        expect(renderSourceSecret(built().ctx, {})).toBeUndefined();
    });

    it("has schema-valid objects and scripts that pass shellcheck", () => {
        const { policy, binding } = renderBuildPodPolicy();
        for (const object of [built({ builder: "railpack", credentials: "GIT_TOKEN" }).job, policy, binding]) {
            const result = validateObject(object);
            expect(result.status, `${result.id}: ${result.error ?? ""}`).toBe("valid");
        }
        for (const script of [FETCH_SCRIPT, BUILD_SCRIPT]) {
            const result = shellcheck(`#!/bin/sh\n${script}`);
            expect(result.ok, result.output).toBe(true);
        }
    });
});

describe("the paas-app example", () => {
    it("builds from its git source on the dev stack's build pool and releases the built image by digest, blue/green", () => {
        const paas = everyExample().find((e) => e.stack === "dev" && e.spec.id === "paas-app")!;
        const job = paas.objects.find((o) => o.kind === "Job" && o.metadata?.namespace === NAMESPACES.builds) as ReturnType<typeof renderBuildJob>;
        expect(job.metadata?.name).toBe(buildName("paas-app", "app", buildIdentity(paas.spec.services[0]!)));
        expect(podSpecOf(job).nodeSelector).toEqual({ [LABELS.pool]: "build" });
        expect(dev.pools.some((p) => p.role === "build" && p.count > 0 && p.dedicated)).toBe(true);
        // Stateless and released blue/green (its volume is the `files` service's): a Rollout running the build.
        const workload = paas.objects.find((o) => o.metadata?.name === "app" && ["Deployment", "StatefulSet", "Rollout"].includes(o.kind)) as any;
        expect(workload.kind).toBe("Rollout");
        expect(workload.spec.template.spec.containers[0].image).toMatch(/^registry\.platform\.internal\/paas-app\/app:[0-9a-f]{40}-[0-9a-f]{12}@sha256:0{64}$/);
    });
});
