import type { ProjectSpec } from "../tenants/schema";
import { BUILT_IMAGE_TAG, builtImageReference, builtImageTag, builtImageTagOf, PLACEHOLDER_DIGEST } from "../registry";
import { IMAGE_HISTORY_DEPTH } from "../conventions";

/**
 * Releases of built images and their rollback, in code: a tenant stack exports the images its built services
 * ran, newest first ({@link IMAGES_OUTPUT}, fed back to it by the driver on every run as
 * {@link PREVIOUS_IMAGES_KEY}); `npm run deploy -- rollback` writes a pin ({@link PINS_KEY}, in the tenant stack
 * file, where review and git see it) that the next `up` honours: the service runs the pinned commit's image by
 * its digest, and Argo Rollouts switches back to the ReplicaSet of that pod template. Pure.
 */

/** One built image a service ran: the commit it was built from, its tag and the digest the build pushed. */
export interface ReleasedImage {
    /** Full commit id. */
    commit: string;
    /** `sha256:…` digest the service ran. */
    digest: string;
    /**
     * The image tag (lib/registry.ts builtImageTag: commit and source hash). Absent in entries recorded before
     * tags carried the source hash, whose tag was the bare commit.
     */
    tag?: string;
}

/** Images each built service ran, by service name, newest first. */
export type ImageHistory = Record<string, ReleasedImage[]>;

/** Pins by service name: the image a service runs instead of the tenant file's commit. */
export type ReleasePins = Record<string, ReleasedImage>;

/** The tenant stack output holding its {@link ImageHistory}. */
export const IMAGES_OUTPUT = "images";

/** Config key (plain JSON) under which the driver hands a tenant stack its own last {@link IMAGES_OUTPUT}. */
export const PREVIOUS_IMAGES_KEY = "tenant:previousImages";

/** Config key (plain object, in the tenant stack file) of the rollback pins. */
export const PINS_KEY = "tenant:pins";

/** Images kept per service (lib/conventions.ts, where the registry's retention floor reads it too). */
export { IMAGE_HISTORY_DEPTH };

const COMMIT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Whether a value is a {@link ReleasedImage} (a full commit and a real digest, never the offline placeholder). */
export function isReleasedImage(value: unknown): value is ReleasedImage {
    const v = value as Partial<ReleasedImage> | null;
    return (
        v !== null &&
        typeof v === "object" &&
        typeof v.commit === "string" &&
        COMMIT.test(v.commit) &&
        typeof v.digest === "string" &&
        DIGEST.test(v.digest) &&
        v.digest !== PLACEHOLDER_DIGEST &&
        (v.tag === undefined || (typeof v.tag === "string" && BUILT_IMAGE_TAG.test(v.tag) && v.tag.startsWith(v.commit)))
    );
}

/** The image's tag: its recorded one, else the bare commit (the tag of builds before the source hash). */
export function releasedImageTag(image: ReleasedImage): string {
    return image.tag ?? image.commit;
}

/** A {@link ReleasedImage} with only its own fields (untrusted input may carry others). */
const releasedImage = ({ commit, digest, tag }: ReleasedImage): ReleasedImage => ({ commit, digest, ...(tag === undefined ? {} : { tag }) });

/** An {@link ImageHistory} from an untrusted value (config or stack output): malformed entries are dropped. */
export function parseImageHistory(value: unknown): ImageHistory {
    const parsed = typeof value === "string" ? safeJson(value) : value;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        return {};
    }
    return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([service, images]) => [service, Array.isArray(images) ? images.filter(isReleasedImage).map(releasedImage) : []]));
}

/**
 * The history after a run: each service's current image first, then its previous ones without repeats (a
 * rollback to an older image moves it to the front), at most {@link IMAGE_HISTORY_DEPTH}. A service without a
 * current image (offline: no build ran) keeps its previous history.
 */
export function nextImageHistory(previous: ImageHistory, current: Readonly<Record<string, ReleasedImage>>): ImageHistory {
    const services = [...new Set([...Object.keys(previous), ...Object.keys(current)])].sort();
    return Object.fromEntries(
        services.map((service) => {
            const now = current[service];
            const before = (previous[service] ?? []).filter((image) => !now || image.digest !== now.digest || releasedImageTag(image) !== releasedImageTag(now));
            return [service, [...(now ? [now] : []), ...before].slice(0, IMAGE_HISTORY_DEPTH)];
        }),
    );
}

/**
 * The image a rollback returns a service to: `to` (a full commit or a prefix of at least 7 hex digits, matched
 * against the history), else the image before the current one. Returns a message instead when there is none.
 */
export function rollbackTarget(history: ImageHistory, service: string, to?: string): ReleasedImage | { problem: string } {
    const images = history[service];
    if (!images || images.length === 0) {
        const known = Object.keys(history).filter((s) => (history[s] ?? []).length > 0);
        return { problem: `service ${service} has no released built image in this stack's history (built services with history: ${known.join(", ") || "none"})` };
    }
    if (to === undefined) {
        return images[1] ?? { problem: `service ${service} has run only one built image (${images[0]!.commit.slice(0, 12)}): there is nothing to roll back to` };
    }
    const matches = images.filter((image) => image.commit.startsWith(to));
    if (matches.length === 0) {
        return { problem: `commit ${to} is not among the last ${images.length} images of service ${service} (${images.map((i) => i.commit.slice(0, 12)).join(", ")})` };
    }
    if (new Set(matches.map((m) => m.commit)).size > 1) {
        return { problem: `commit prefix ${to} matches several images of service ${service}: give more digits` };
    }
    return matches[0]!;
}

/** Rollback pins from the raw config value (a JSON object of service → image); problems name the bad entry. */
export function parsePins(value: unknown): { pins: ReleasePins; problems: string[] } {
    if (value === undefined) {
        return { pins: {}, problems: [] };
    }
    const parsed = typeof value === "string" ? safeJson(value) : value;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        return { pins: {}, problems: [`${PINS_KEY} must be an object of service name → {commit, digest}`] };
    }
    const pins: ReleasePins = {};
    const problems: string[] = [];
    for (const [service, pin] of Object.entries(parsed as Record<string, unknown>)) {
        if (isReleasedImage(pin)) {
            pins[service] = releasedImage(pin);
        } else {
            problems.push(`${PINS_KEY}.${service} must be {commit: <full commit id>, digest: sha256:<64 hex>, tag: <commit>-<12 hex> (optional)}`);
        }
    }
    return { pins, problems };
}

/**
 * The tenant file's project with the pins applied: a pinned built service runs the pinned image (its recorded tag
 * and commit label follow the pin), and its digest is the pinned one. Pins of services that are not built are
 * problems (a rollback pins only built images).
 */
export function applyPins(spec: ProjectSpec, pins: ReleasePins, digests: Readonly<Record<string, string>>): { spec: ProjectSpec; digests: Record<string, string>; problems: string[] } {
    const problems = Object.keys(pins)
        .filter((service) => !spec.services.some((s) => s.name === service && s.build !== undefined))
        .map((service) => `${PINS_KEY}.${service}: project ${spec.id} has no built service ${service} (remove the pin)`);
    const services = spec.services.map((service) => {
        const pin = pins[service.name];
        if (!pin || !service.build) {
            return service;
        }
        return { ...service, image: `${builtImageReference(spec.id, service.name, releasedImageTag(pin))}@${PLACEHOLDER_DIGEST}`, build: { ...service.build, commit: pin.commit } };
    });
    const pinnedDigests = Object.fromEntries(Object.entries(pins).filter(([service]) => services.some((s) => s.name === service && s.build)).map(([service, pin]) => [service, pin.digest]));
    return { spec: { ...spec, services }, digests: { ...digests, ...pinnedDigests }, problems };
}

/** The images a tenant stack runs now (for its {@link IMAGES_OUTPUT}): each built service's commit and digest, when known. */
export function currentImages(spec: ProjectSpec, digests: Readonly<Record<string, string>>): Record<string, ReleasedImage> {
    const images: Record<string, ReleasedImage> = {};
    for (const service of spec.services) {
        const build = service.build;
        // The tag of the image the service runs (a pin's, which may come from another path or builder), else the build's.
        const tag = (service.image && builtImageTagOf(service.image)) ?? (build?.commit ? builtImageTag({ ...build, commit: build.commit }) : undefined);
        const image = { commit: build?.commit ?? "", digest: digests[service.name] ?? "", ...(tag === undefined ? {} : { tag }) };
        if (build && isReleasedImage(image)) {
            images[service.name] = image;
        }
    }
    return images;
}

function safeJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}
