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

/** The immutable tag of a build: the full commit id it was built from. */
export function builtImageReference(projectId: string, service: string, commit: string): string {
    return `${builtImageRepository(projectId, service)}:${commit}`;
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
 * part shortened when too long, the hash always of the full `project/service/commit` triple. Project ids and
 * service names both contain `-` (`a-b` + `c` reads like `a` + `b-c`) and two commits may share 12 hex digits,
 * so only the hash keeps two triples apart; the builds of every project share one namespace. The same triple
 * always gives the same name (a re-run is the same Job, which Kubernetes does not run twice), another commit
 * another name.
 */
export function buildName(projectId: string, service: string, commit: string): string {
    const hash = crypto.createHash("sha256").update(`${projectId}/${service}/${commit}`).digest("hex").slice(0, 10);
    const readable = `${projectId}-${service}`.slice(0, BUILD_NAME_MAX - "build-".length - 12 - 10 - 2).replace(/-+$/, "");
    return `build-${readable}-${commit.slice(0, 12)}-${hash}`.replace(/-+/g, "-");
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

/** The project path of a platform-registry image (`registry.platform.internal/<project>/...` → `<project>`). */
export function platformRegistryProjectOf(image: string): string | undefined {
    return inPlatformRegistry(image) ? image.slice(PLATFORM_REGISTRY.host.length + 1).split("/")[0] : undefined;
}
