/**
 * Container image references: registry, repository, tag and digest, with Docker's defaults (no registry means
 * Docker Hub, one-segment names live under `library/`).
 */

/** A parsed image reference. */
export interface ImageReference {
    /** Registry host (`docker.io` when the reference names none). */
    registry: string;
    /** Repository path within the registry. */
    repository: string;
    /** Tag, when present. */
    tag?: string;
    /** Digest (`sha256:…`), when present. */
    digest?: string;
}

const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]);

/** Parses an image reference; `undefined` for an empty or malformed one. */
export function parseImageReference(image: string): ImageReference | undefined {
    const text = image.trim();
    if (text.length === 0 || /\s/.test(text)) {
        return undefined;
    }
    const at = text.indexOf("@");
    const digest = at >= 0 ? text.slice(at + 1) : undefined;
    const named = at >= 0 ? text.slice(0, at) : text;
    if (digest !== undefined && !/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/.test(digest)) {
        return undefined;
    }
    const slash = named.lastIndexOf("/");
    const colon = named.lastIndexOf(":");
    // A colon after the last slash separates the tag; one before it belongs to a registry port.
    const tag = colon > slash ? named.slice(colon + 1) : undefined;
    const name = colon > slash ? named.slice(0, colon) : named;
    if (name.length === 0 || (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag))) {
        return undefined;
    }
    const segments = name.split("/");
    const first = segments[0]!;
    const hasRegistry = segments.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
    const rawRegistry = hasRegistry ? first.toLowerCase() : "docker.io";
    const registry = DOCKER_HUB_ALIASES.has(rawRegistry) ? "docker.io" : rawRegistry;
    let repository = hasRegistry ? segments.slice(1).join("/") : name;
    if (registry === "docker.io" && !repository.includes("/")) {
        repository = `library/${repository}`;
    }
    return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/**
 * Whether an image comes from an allowed registry. Entries are registry hosts (`ghcr.io`) or
 * `registry/path` prefixes (`ghcr.io/acme`), matched on whole path segments.
 */
export function registryAllowed(reference: ImageReference, allowed: readonly string[]): boolean {
    const full = `${reference.registry}/${reference.repository}`;
    return allowed.some((entry) => {
        const normalised = entry.trim().toLowerCase().replace(/\/+$/, "");
        const [host = "", ...path] = normalised.split("/");
        const prefix = [DOCKER_HUB_ALIASES.has(host) ? "docker.io" : host, ...path].join("/");
        return full === prefix || full.startsWith(`${prefix}/`);
    });
}
