import * as path from "node:path";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import { BUILD_IMAGES, BUILDKIT_ROOTLESS_UID } from "../../charts/images";
import { LABELS, NAMESPACES, PLATFORM_REGISTRY } from "../../lib/conventions";
import { buildName, builtImageReference, builtImageRepository, builtImageTag, pushSecretName, sourceSecretName, type BuildIdentity } from "../../lib/registry";
import type { ServiceSpec } from "../../lib/tenants/schema";
import { objectLabels, type ProjectContext } from "../project/common";

/**
 * The build of one service at one commit: a Job in the platform-owned `builds` namespace, on the build pool
 * only, that fetches the commit, plans it with Railpack (or takes the repository's Dockerfile) and builds and
 * pushes `<registry>/<project>/<service>:<commit>-<source hash>` (lib/registry.ts builtImageTag) with rootless BuildKit. The tenant controls only the
 * `build:` key (URL, commit, ref, path, builder, the name of a secret value); the pod spec is this renderer's.
 *
 * Rootless BuildKit needs seccomp and AppArmor unconfined (moby/buildkit docs/rootless.md, "Containerized
 * deployment": RootlessKit creates user and mount namespaces, which the default profiles deny) and
 * `--oci-worker-no-process-sandbox` (no PID namespace of its own, so no `privileged`). RootlessKit maps the
 * image's 65,536 sub-ids with `newuidmap`/`newgidmap`, which the `-rootless` image installs set-uid (Dockerfile
 * v0.25.2, `shadow-uidmap`): `allowPrivilegeEscalation: false` (no_new_privs) ignores the set-uid bit and an
 * empty bounding set removes the CAP_SETUID/CAP_SETGID they need, so RootlessKit fails with "newuidmap: Could
 * not set caps" (moby/buildkit#1671, #3217; upstream's examples/kubernetes/job.rootless.yaml sets neither). The
 * BuildKit container therefore may escalate, with a bounding set of SETUID and SETGID only (everything else
 * dropped), so the set-uid helper gains exactly those two and nothing else does.
 * That is the platform's one documented exception to the restricted pod profile, held by the policy pack and
 * the builds namespace's admission policy to: pods of this namespace, only the BuildKit container, on the build
 * pool, no host namespaces, paths or ports, non-root, no capability but SETUID/SETGID (BuildKit only), only its
 * own project's Secrets, images from BUILD_IMAGES.
 */

/** The capabilities the BuildKit container keeps in its bounding set: what set-uid `newuidmap`/`newgidmap` need. */
export const BUILDKIT_CAPABILITIES = ["SETUID", "SETGID"] as const;

/** ServiceAccount of build pods: no API token, no RBAC. */
export const BUILDER_SERVICE_ACCOUNT = "builder";

/** Name of the BuildKit container (the one container allowed unconfined seccomp and AppArmor). */
export const BUILDKIT_CONTAINER = "buildkit";

/** Seconds a build may take before it is stopped (a stuck build then fails the tenant's `pulumi up`). */
export const BUILD_DEADLINE_SECONDS = 3600;

/**
 * How long the deploy awaits a build Job: its deadline plus the time to schedule and pull (@pulumi/kubernetes
 * awaits a Job's completion for 10 minutes unless `customTimeouts` says otherwise: batch/v1/job.d.ts).
 */
export const BUILD_AWAIT_TIMEOUT = `${BUILD_DEADLINE_SECONDS / 60 + 5}m`;

/**
 * Annotation that makes the next `up` replace a build Job that failed, instead of awaiting it again
 * (@pulumi/kubernetes batch/v1/job.d.ts): re-running the deploy retries the same commit.
 */
export const REPLACE_UNREADY_ANNOTATION = "pulumi.com/replaceUnready";

/** What one build pod may use (the build pool is sized for a few of these at once). */
export const BUILD_RESOURCES = {
    requests: { cpu: "1", memory: "2Gi", "ephemeral-storage": "10Gi" },
    limits: { cpu: "4", memory: "6Gi", "ephemeral-storage": "20Gi" },
} as const;

/** `platform/log-stream` value of build pods: build logs are a Loki stream of their own. */
export const BUILD_LOG_STREAM = "build";

/** Where the pod's volumes are mounted (exported for the tests that run the step scripts). */
export const BUILD_PATHS = {
    source: "/workspace/src",
    plan: "/workspace/plan",
    buildkitState: "/home/user/.local/share/buildkit",
    dockerConfig: "/home/user/.docker",
    tmp: "/tmp",
    sourceCredentials: "/run/secrets/git",
} as const;
const PATHS = BUILD_PATHS;

/** Name of the source step's container (the only container that mounts the project's source credential). */
export const SOURCE_CONTAINER = "source";

/** The file the source step reads a private repository's token from (a key of the project's source Secret). */
export const SOURCE_TOKEN_FILE = `${PATHS.sourceCredentials}/token`;

/**
 * Script of the source step (sh): fetches exactly the commit (shallow) into the source volume, or, from a server
 * that refuses fetching a commit by id, the history of `build.ref` that must contain it; every tenant value
 * arrives as an env var. A private repository's token is read from the mounted Secret file and given to the one
 * `git fetch` through git's environment config (GIT_CONFIG_COUNT, git >= 2.31), so it is never written to
 * `.git/config` — the source volume is the build context, and `COPY . .` would put that file in the image — never
 * on a command line, never in the environment of the pod spec, never echoed.
 */
export const FETCH_SCRIPT = `set -eu
cd ${PATHS.source}
git init -q .
git remote add origin "$GIT_URL"
fetch() {
  if [ -n "\${GIT_TOKEN_FILE:-}" ]; then
    GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader \\
      GIT_CONFIG_VALUE_0="Authorization: Basic $(printf 'x-access-token:%s' "$(cat "$GIT_TOKEN_FILE")" | base64 | tr -d '\\n')" \\
      git fetch -q "$@"
  else
    git fetch -q "$@"
  fi
}
# By commit id (protocol v2 servers and GitHub/GitLab allow it); a server that refuses unadvertised objects
# (protocol v0 without uploadpack.allowReachableSHA1InWant) gets the ref's history, which must hold the commit.
if ! fetch --depth 1 origin "$GIT_COMMIT"; then
  if [ -z "\${GIT_REF:-}" ]; then
    echo "the server refused fetching commit $GIT_COMMIT by id: name the branch or tag that holds it in build.ref" >&2
    exit 1
  fi
  fetch origin "$GIT_REF"
  if ! git cat-file -e "$GIT_COMMIT^{commit}" 2>/dev/null; then
    echo "commit $GIT_COMMIT is not in $GIT_REF" >&2
    exit 1
  fi
fi
git -c advice.detachedHead=false checkout -q "$GIT_COMMIT"
test "$(git rev-parse HEAD)" = "$GIT_COMMIT"
# The app's directory must stay inside the repository: a symlinked path would hand BuildKit its own filesystem.
root="$(pwd -P)"
real="$(cd "$BUILD_PATH" && pwd -P)"
case "$real" in
  "$root" | "$root"/*) ;;
  *) echo "build path $BUILD_PATH leaves the repository" >&2; exit 1 ;;
esac
`;

/**
 * Skips the build when the build's tag (commit and source hash) already exists (a re-run of the same build pushes
 * nothing, so a tag never moves to another digest), builds and pushes when the registry answers 404, and fails on any
 * other answer (a refused robot, a registry error: pushing then could move the tag); the image's digest is the
 * container's termination message. Both wgets (BusyBox in the image, GNU) print the status line under -S. BUILDCTL_ARGS is word-split on purpose: its words are
 * the renderer's, never the tenant's (paths are checked by the tenant schema: no spaces, no '..').
 */
export const BUILD_SCRIPT = `set -eu
auth="$(sed -n 's/.*"auth": *"\\([^"]*\\)".*/\\1/p' ${PATHS.dockerConfig}/config.json | head -n 1)"
# The digest ends in the termination message, where the deploy reads it (components/builds/build-digest.js).
if wget -q -S --spider --header "Authorization: Basic $auth" --header "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" "$REGISTRY_MANIFEST_URL" 2>${PATHS.tmp}/head; then
  echo "$IMAGE already exists: nothing to build"
  sed -n 's/^ *[Dd]ocker-[Cc]ontent-[Dd]igest: *\\(sha256:[0-9a-f]*\\).*/\\1/p' ${PATHS.tmp}/head | head -n 1 > /dev/termination-log
  exit 0
fi
# Build only when the registry says the tag is missing (404): a refused or failed check must not push over it.
if ! grep -Eq '^ *HTTP/[0-9.]+ 404' ${PATHS.tmp}/head; then
  echo "cannot tell whether $IMAGE exists (the registry did not answer 200 or 404): not building" >&2
  cat ${PATHS.tmp}/head >&2
  exit 1
fi
# shellcheck disable=SC2086
buildctl-daemonless.sh build $BUILDCTL_ARGS --metadata-file ${PATHS.tmp}/metadata.json
sed -n 's/.*"containerimage.digest": *"\\(sha256:[0-9a-f]*\\)".*/\\1/p' ${PATHS.tmp}/metadata.json | head -n 1 > /dev/termination-log
`;

/** What names a service's build and its image: the commit and how it is built. */
export function buildIdentity(service: ServiceSpec): BuildIdentity {
    const build = service.build;
    if (!build?.commit) {
        throw new Error(`service ${service.name} has no build commit`);
    }
    return { commit: build.commit, git: build.git, path: build.path, builder: build.builder };
}

/** The `buildctl build` arguments of a service's build (frontend, local contexts, output). */
export function buildctlArgs(ctx: ProjectContext, service: ServiceSpec): string[] {
    const build = service.build!;
    const context = path.posix.join(PATHS.source, build.path);
    const image = builtImageReference(ctx.project.id, service.name, builtImageTag(buildIdentity(service)));
    const frontend =
        build.builder === "railpack"
            ? ["--frontend=gateway.v0", `--opt=source=${BUILD_IMAGES.railpackFrontend}`, `--local=context=${context}`, `--local=dockerfile=${PATHS.plan}`]
            : ["--frontend=dockerfile.v0", `--local=context=${context}`, `--local=dockerfile=${context}`];
    // registry.insecure: the platform registry speaks HTTP inside the cluster network (lib/conventions.ts).
    return [...frontend, `--output=type=image,name=${image},push=true,registry.insecure=true`, "--progress=plain"];
}

/** Labels of a build's Job and pod: the project's metering labels (builds are billed to it), commit and log stream. */
export function buildLabels(ctx: ProjectContext, service: ServiceSpec): Record<string, string> {
    return {
        ...objectLabels(ctx, service.name),
        [LABELS.commit]: service.build!.commit!,
        [LABELS.logStream]: BUILD_LOG_STREAM,
    };
}

const restrictedContainer: ISecurityContext = {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: BUILDKIT_ROOTLESS_UID,
    runAsGroup: BUILDKIT_ROOTLESS_UID,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

const stepResources = { requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "1Gi" }, limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "2Gi" } };

/** The Job that builds one service at its commit (in the builds namespace). */
export function renderBuildJob(ctx: ProjectContext, service: ServiceSpec): IJob {
    const build = service.build;
    if (!build?.commit) {
        throw new Error(`service ${service.name} of project ${ctx.project.id} has no build commit`);
    }
    const identity = buildIdentity(service);
    const tag = builtImageTag(identity);
    const name = buildName(ctx.project.id, service.name, identity);
    const labels = buildLabels(ctx, service);
    const image = builtImageReference(ctx.project.id, service.name, tag);
    const repository = builtImageRepository(ctx.project.id, service.name).slice(PLATFORM_REGISTRY.host.length + 1);
    const mounts = { source: { name: "source", mountPath: PATHS.source }, plan: { name: "plan", mountPath: PATHS.plan }, tmp: { name: "tmp", mountPath: PATHS.tmp } };
    const fetch: IContainer = {
        name: SOURCE_CONTAINER,
        image: BUILD_IMAGES.git,
        command: ["sh", "-c", FETCH_SCRIPT],
        env: [
            { name: "GIT_URL", value: build.git },
            { name: "GIT_COMMIT", value: build.commit },
            ...(build.ref ? [{ name: "GIT_REF", value: build.ref }] : []),
            { name: "BUILD_PATH", value: path.posix.join(PATHS.source, build.path) },
            { name: "HOME", value: PATHS.tmp },
            ...(build.credentials ? [{ name: "GIT_TOKEN_FILE", value: SOURCE_TOKEN_FILE }] : []),
        ],
        securityContext: restrictedContainer,
        resources: stepResources,
        // The token is a file of this step only: the Railpack and BuildKit steps never see it.
        volumeMounts: [mounts.source, mounts.tmp, ...(build.credentials ? [{ name: "source-credentials", mountPath: PATHS.sourceCredentials, readOnly: true }] : [])],
    };
    const prepare: IContainer[] =
        build.builder === "railpack"
            ? [
                  {
                      name: "plan",
                      // Railpack publishes its CLI only inside the frontend image (.goreleaser.yml v0.15.4:
                      // `railpack-frontend`, `FROM alpine; COPY railpack /`); `prepare` fetches its pinned mise
                      // into /tmp/railpack to resolve versions, so it needs the internet on 443.
                      image: BUILD_IMAGES.railpackFrontend,
                      command: ["/railpack"],
                      args: ["prepare", path.posix.join(PATHS.source, build.path), "--plan-out", `${PATHS.plan}/railpack-plan.json`, "--info-out", `${PATHS.plan}/railpack-info.json`],
                      env: [{ name: "HOME", value: PATHS.tmp }],
                      securityContext: restrictedContainer,
                      resources: stepResources,
                      volumeMounts: [mounts.source, mounts.plan, mounts.tmp],
                  },
              ]
            : [];
    const buildkit: IContainer = {
        name: BUILDKIT_CONTAINER,
        image: BUILD_IMAGES.buildkit,
        command: ["sh", "-c", BUILD_SCRIPT],
        env: [
            // No PID namespace of its own: needed without `privileged` (docs/rootless.md).
            { name: "BUILDKITD_FLAGS", value: "--oci-worker-no-process-sandbox" },
            { name: "BUILDCTL_ARGS", value: buildctlArgs(ctx, service).join(" ") },
            { name: "IMAGE", value: image },
            { name: "REGISTRY_MANIFEST_URL", value: `http://${PLATFORM_REGISTRY.host}/v2/${repository}/manifests/${tag}` },
            { name: "DOCKER_CONFIG", value: PATHS.dockerConfig },
        ],
        securityContext: {
            ...restrictedContainer,
            // RootlessKit and buildctl-daemonless.sh write below $HOME, /run/user and /tmp; upstream's rootless
            // examples run with a writable root, which is kept (unverified read-only).
            readOnlyRootFilesystem: false,
            // The set-uid newuidmap/newgidmap need both (see the file comment).
            allowPrivilegeEscalation: true,
            capabilities: { drop: ["ALL"], add: [...BUILDKIT_CAPABILITIES] },
            seccompProfile: { type: "Unconfined" },
            appArmorProfile: { type: "Unconfined" },
        },
        resources: BUILD_RESOURCES,
        volumeMounts: [
            mounts.source,
            mounts.plan,
            mounts.tmp,
            { name: "buildkit-state", mountPath: PATHS.buildkitState },
            { name: "run", mountPath: "/run/user" },
            { name: "registry-push", mountPath: PATHS.dockerConfig, readOnly: true },
        ],
    };
    const scratch = (volume: string, sizeLimit: string) => ({ name: volume, emptyDir: { sizeLimit } });
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name, namespace: NAMESPACES.builds, labels, annotations: { [REPLACE_UNREADY_ANNOTATION]: "true" } },
        spec: {
            // One attempt: a failed build fails the tenant's `pulumi up` and leaves the running release as it is.
            backoffLimit: 0,
            activeDeadlineSeconds: BUILD_DEADLINE_SECONDS,
            template: {
                metadata: { labels },
                spec: {
                    restartPolicy: "Never",
                    serviceAccountName: BUILDER_SERVICE_ACCOUNT,
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    nodeSelector: { [LABELS.pool]: "build" },
                    tolerations: [{ key: "pool", operator: "Equal", value: "build", effect: "NoSchedule" }],
                    securityContext: {
                        runAsNonRoot: true,
                        runAsUser: BUILDKIT_ROOTLESS_UID,
                        runAsGroup: BUILDKIT_ROOTLESS_UID,
                        fsGroup: BUILDKIT_ROOTLESS_UID,
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    initContainers: [fetch, ...prepare],
                    containers: [buildkit],
                    volumes: [
                        scratch("source", "2Gi"),
                        scratch("plan", "16Mi"),
                        scratch("tmp", "1Gi"),
                        scratch("buildkit-state", "16Gi"),
                        scratch("run", "16Mi"),
                        { name: "registry-push", secret: { secretName: pushSecretName(ctx.project.id), items: [{ key: ".dockerconfigjson", path: "config.json" }] } },
                        // Only the key this build names, readable by the build user's group (fsGroup) only.
                        ...(build.credentials
                            ? [{ name: "source-credentials", secret: { secretName: sourceSecretName(ctx.project.id), items: [{ key: build.credentials, path: "token" }], defaultMode: 0o440 } }]
                            : []),
                    ],
                },
            },
        },
    };
}

/** The names of the project's secret values its builds read source credentials from (sorted, once each). */
export function sourceCredentialNames(project: ProjectContext["project"]): string[] {
    return [...new Set(project.services.flatMap((s) => (s.build?.credentials ? [s.build.credentials] : [])))].sort();
}

/**
 * The Secret of a project's build source credentials in the builds namespace (from the project's own secret
 * values, which the platform's grants write: tenants get no RBAC there), when a build names one. Only that
 * project's build pods mount it (their source step; the builds namespace's admission policy holds every build
 * pod to its own project's Secrets). The caller marks the values secret.
 */
export function renderSourceSecret(ctx: ProjectContext, values: Readonly<Record<string, string>>): ISecret | undefined {
    const keys = sourceCredentialNames(ctx.project);
    if (keys.length === 0) {
        return undefined;
    }
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: sourceSecretName(ctx.project.id), namespace: NAMESPACES.builds, labels: objectLabels(ctx, "shared") },
        type: "Opaque",
        stringData: Object.fromEntries(keys.map((k) => [k, values[k] ?? ""])),
    };
}
