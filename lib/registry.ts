import * as crypto from "node:crypto";
import { PLATFORM_REGISTRY } from "./conventions";

/**
 * Names of the platform registry and of what builds push into it, shared by the registry, the node bootstrap,
 * the build Jobs, the tenant workloads, the admission policies and the policy pack. Pure.
 */

/** The fixed ClusterIP of the Harbor Service: `clusterIpOffset` into the service CIDR (e.g. 10.43.0.30). */
export function registryClusterIp(serviceCidr: string): string {
    const [address, bits] = serviceCidr.split("/");
    const octets = (address ?? "").split(".").map(Number);
    if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255) || Number(bits) > 24) {
        throw new Error(`platform:cluster.serviceCidr ${serviceCidr} must be an IPv4 CIDR of /24 or larger (the registry takes a fixed address in it)`);
    }
    const value = (((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0) + PLATFORM_REGISTRY.clusterIpOffset;
    return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join(".");
}

/** Harbor project of a tenant project: its id (one Harbor project per tenant project). */
export function registryProject(projectId: string): string {
    return projectId;
}

/** Repository a service's builds push to: `<registry>/<project>/<service>`. */
export function builtImageRepository(projectId: string, service: string): string {
    return `${PLATFORM_REGISTRY.host}/${registryProject(projectId)}/${service}`;
}

/**
 * What decides a build's output besides the project and service: the commit and how it is built (source URL,
 * app directory, builder). The same commit built from another `path` or with another `builder` is another image.
 */
export interface BuildIdentity {
    /** Full commit id. */
    commit: string;
    /** Source repository URL. */
    git: string;
    /** App directory inside the repository. */
    path: string;
    /** `railpack` or `dockerfile`. */
    builder: string;
}

/** Hex digits of the source hash in a tag: 48 bits, no collision among the few setups one commit is built with. */
const SOURCE_HASH_LENGTH = 12;

/** Hash of how a commit is built (`git`, `path`, `builder`): the tag's suffix and part of the build's name. */
export function buildSourceHash(build: Omit<BuildIdentity, "commit">): string {
    return crypto.createHash("sha256").update(JSON.stringify([build.git, build.path, build.builder])).digest("hex").slice(0, SOURCE_HASH_LENGTH);
}

/**
 * The immutable tag of a build: `<full commit>-<source hash>`. A changed `git`, `path` or `builder` at the same
 * commit gives a new tag (so a new build and a new image) instead of finding the old tag and pushing nothing.
 */
export function builtImageTag(build: BuildIdentity): string {
    return `${build.commit}-${buildSourceHash(build)}`;
}

/** A tag as {@link builtImageTag} writes it (commit, '-', source hash), or the bare commit tags of older builds. */
export const BUILT_IMAGE_TAG = new RegExp(`^([0-9a-f]{40}|[0-9a-f]{64})(-[0-9a-f]{${SOURCE_HASH_LENGTH}})?$`);

/** `<registry>/<project>/<service>:<tag>`, the tag from {@link builtImageTag}. */
export function builtImageReference(projectId: string, service: string, tag: string): string {
    return `${builtImageRepository(projectId, service)}:${tag}`;
}

/**
 * Digest the offline plan deploys in place of the real one (all zeros: no real image has it). Workloads that
 * carry it are annotated {@link PLACEHOLDER_DIGEST_ANNOTATION}.
 */
export const PLACEHOLDER_DIGEST = `sha256:${"0".repeat(64)}`;

/** Annotation on a workload whose built image's digest is the offline placeholder. */
export const PLACEHOLDER_DIGEST_ANNOTATION = "platform/image-digest";

/** Value of {@link PLACEHOLDER_DIGEST_ANNOTATION} on such a workload. */
export const PLACEHOLDER_DIGEST_VALUE = "placeholder (offline plan: a deploy reads the real digest from the build's termination message)";

/** Kubernetes names are at most 63 characters (a Job's pods get a suffix, so stay at 52). */
const BUILD_NAME_MAX = 52;

/**
 * Name of the build of one commit of one service: `build-<project>-<service>-<commit12>-<hash10>`, the readable
 * part shortened when too long, the hash always of the project, the service and the image tag (full commit and
 * {@link buildSourceHash}). Project ids and service names both contain `-` (`a-b` + `c` reads like `a` + `b-c`)
 * and two commits may share 12 hex digits, so only the hash keeps two builds apart; the builds of every project
 * share one namespace. The same build always gives the same name (a re-run is the same Job, which Kubernetes
 * does not run twice); another commit, source URL, path or builder another name.
 */
export function buildName(projectId: string, service: string, build: BuildIdentity): string {
    const hash = crypto.createHash("sha256").update(`${projectId}/${service}/${builtImageTag(build)}`).digest("hex").slice(0, 10);
    const readable = `${projectId}-${service}`.slice(0, BUILD_NAME_MAX - "build-".length - 12 - 10 - 2).replace(/-+$/, "");
    return `build-${readable}-${build.commit.slice(0, 12)}-${hash}`.replace(/-+/g, "-");
}

/** Secret (dockerconfigjson) in the builds namespace with the push robot of one project. */
export function pushSecretName(projectId: string): string {
    return `registry-push-${projectId}`;
}

/** Secret in the builds namespace with the source credentials of one project's builds (from its own secret values). */
export function sourceSecretName(projectId: string): string {
    return `build-source-${projectId}`;
}

/** Harbor's full name of a project-level robot account. */
export function robotAccountName(projectId: string, robot: string): string {
    return `robot$${registryProject(projectId)}+${robot}`;
}

/** Whether an image reference is in the platform registry. */
export function inPlatformRegistry(image: string): boolean {
    return image.startsWith(`${PLATFORM_REGISTRY.host}/`);
}

/** The tag of a platform-registry image reference (`<host>/<project>/<service>:<tag>[@<digest>]`), if it has one. */
export function builtImageTagOf(image: string): string | undefined {
    if (!inPlatformRegistry(image)) {
        return undefined;
    }
    const name = image.split("@")[0]!;
    const colon = name.lastIndexOf(":");
    return colon > name.lastIndexOf("/") ? name.slice(colon + 1) : undefined;
}

/** The project path of a platform-registry image (`registry.platform.internal/<project>/...` → `<project>`). */
export function platformRegistryProjectOf(image: string): string | undefined {
    return inPlatformRegistry(image) ? image.slice(PLATFORM_REGISTRY.host.length + 1).split("/")[0] : undefined;
}
