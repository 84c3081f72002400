import { describe, expect, it } from "vitest";
import { applyPins, currentImages, IMAGE_HISTORY_DEPTH, nextImageHistory, parseImageHistory, parsePins, rollbackTarget, type ReleasedImage } from "../../../lib/stacks/releases";
import { PLACEHOLDER_DIGEST } from "../../../lib/registry";
import { project } from "../../components/project/fixtures";

/** The image history a tenant stack keeps and the image a rollback chooses from it (lib/stacks/releases.ts). */

const commit = (n: number) => `${n.toString(16).padStart(4, "0")}${"a".repeat(36)}`;
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`;
const image = (n: number): ReleasedImage => ({ commit: commit(n), digest: digest(n) });

describe("the image history", () => {
    it("puts the current image first, keeps the earlier ones once each, and stops at its depth", () => {
        const previous = { web: [image(2), image(1)], worker: [image(7)] };
        expect(nextImageHistory(previous, { web: image(3) })).toEqual({ web: [image(3), image(2), image(1)], worker: [image(7)] });
        // The same image again (an up without a new commit) changes nothing; a rollback moves an old one to the front.
        expect(nextImageHistory(previous, { web: image(2) })).toEqual(previous);
        expect(nextImageHistory(previous, { web: image(1) }).web).toEqual([image(1), image(2)]);
        const long = { web: Array.from({ length: IMAGE_HISTORY_DEPTH }, (_, i) => image(100 - i)) };
        expect(nextImageHistory(long, { web: image(200) }).web).toHaveLength(IMAGE_HISTORY_DEPTH);
        expect(nextImageHistory(long, { web: image(200) }).web!.at(-1)).toEqual(image(100 - IMAGE_HISTORY_DEPTH + 2));
    });

    it("drops whatever is not a full commit and a real digest (the offline placeholder included)", () => {
        expect(parseImageHistory(JSON.stringify({ web: [image(1), { commit: "abc", digest: digest(2) }, { commit: commit(3), digest: PLACEHOLDER_DIGEST }], api: "x" }))).toEqual({ web: [image(1)], api: [] });
        expect(parseImageHistory("not json")).toEqual({});
        expect(parseImageHistory(undefined)).toEqual({});
    });
});

describe("the rollback target", () => {
    const history = { web: [image(3), image(2), image(1)], api: [image(9)] };

    it("is the image before the current one, or the named commit (full or a unique prefix)", () => {
        expect(rollbackTarget(history, "web")).toEqual(image(2));
        expect(rollbackTarget(history, "web", commit(1))).toEqual(image(1));
        expect(rollbackTarget(history, "web", commit(1).slice(0, 7))).toEqual(image(1));
    });

    it("explains why there is none: unknown service, one image only, unknown or ambiguous commit", () => {
        expect(rollbackTarget(history, "db")).toEqual({ problem: expect.stringMatching(/service db has no released built image.*web, api/) });
        expect(rollbackTarget(history, "api")).toEqual({ problem: expect.stringMatching(/only one built image/) });
        expect(rollbackTarget(history, "web", "1234567")).toEqual({ problem: expect.stringMatching(/not among the last 3 images/) });
        expect(rollbackTarget(history, "web", "000")).toEqual({ problem: expect.stringMatching(/matches several images/) });
    });
});

describe("pins", () => {
    const spec = project({
        name: "shop",
        services: [
            { name: "web", port: 8080, build: { git: "https://github.com/example/web.git", commit: commit(3) } },
            { name: "cache", image: "docker.io/library/redis:7.4.1", port: 6379 },
        ],
    });

    it("make a built service run the pinned commit's image by the pinned digest, the others unchanged", () => {
        const pinned = applyPins(spec, { web: image(2) }, { web: digest(3) });
        expect(pinned.problems).toEqual([]);
        const web = pinned.spec.services.find((s) => s.name === "web")!;
        expect(web.image).toBe(`registry.platform.internal/shop/web:${commit(2)}@${PLACEHOLDER_DIGEST}`);
        expect(web.build?.commit).toBe(commit(2));
        expect(pinned.digests).toEqual({ web: digest(2) });
        expect(pinned.spec.services.find((s) => s.name === "cache")).toEqual(spec.services.find((s) => s.name === "cache"));
        // A pin recorded before tags carried the source hash runs its bare-commit tag, and is recorded so.
        expect(currentImages(pinned.spec, pinned.digests)).toEqual({ web: { ...image(2), tag: commit(2) } });
        // Without a pin the contract's digest of the file's commit is what runs, under the build's tag.
        expect(currentImages(spec, { web: digest(3) })).toEqual({ web: { ...image(3), tag: expect.stringMatching(new RegExp(`^${commit(3)}-[0-9a-f]{12}$`)) } });
        expect(currentImages(spec, {})).toEqual({});
    });

    it("run the pinned image's own tag, which may come from another path or builder than the file's", () => {
        const tag = `${commit(2)}-0123456789ab`;
        const pinned = applyPins(spec, { web: { ...image(2), tag } }, { web: digest(3) });
        expect(pinned.spec.services.find((s) => s.name === "web")!.image).toBe(`registry.platform.internal/shop/web:${tag}@${PLACEHOLDER_DIGEST}`);
        expect(currentImages(pinned.spec, pinned.digests)).toEqual({ web: { ...image(2), tag } });
        // The rollback command finds the previous image with its tag in the history the stack exported.
        const history = parseImageHistory(JSON.stringify(nextImageHistory({ web: [{ ...image(2), tag }] }, currentImages(spec, { web: digest(3) }))));
        expect(rollbackTarget(history, "web")).toEqual({ ...image(2), tag });
        // The same commit and digest under another tag (a rebuild from another path) is another history entry.
        expect(nextImageHistory({ web: [{ ...image(2), tag }] }, { web: { ...image(2), tag: `${commit(2)}-ba9876543210` } }).web).toHaveLength(2);
    });

    it("refuse a pin of a service that is not built, and malformed pins, naming the key", () => {
        expect(parsePins(JSON.stringify({ web: { ...image(1), tag: `${commit(2)}-0123456789ab` } })).problems).toEqual([expect.stringMatching(/^tenant:pins\.web must be/)]);
        expect(parsePins(JSON.stringify({ web: { ...image(1), tag: "latest" } })).problems).toHaveLength(1);
        expect(applyPins(spec, { cache: image(1) }, {}).problems).toEqual([expect.stringMatching(/^tenant:pins\.cache: project shop has no built service cache/)]);
        expect(parsePins(JSON.stringify({ web: { commit: "main", digest: digest(1) } })).problems).toEqual([expect.stringMatching(/^tenant:pins\.web must be/)]);
        expect(parsePins('["web"]').problems).toHaveLength(1);
        expect(parsePins(JSON.stringify({ web: image(1) }))).toEqual({ pins: { web: image(1) }, problems: [] });
        expect(parsePins(undefined)).toEqual({ pins: {}, problems: [] });
    });
});
