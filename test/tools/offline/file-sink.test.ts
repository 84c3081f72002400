import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BackgroundFileSink, BufferedFileSink } from "../../../tools/offline/file-sink";

describe("background file sink", () => {
    const dirs: string[] = [];
    const tempDir = () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "file-sink-"));
        dirs.push(dir);
        return dir;
    };
    afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    it("writes in call order on its thread and resolves close() when everything is on disk", async () => {
        const dir = tempDir();
        const sink = new BackgroundFileSink();
        sink.mkdir(path.join(dir, "a", "b"));
        sink.write(path.join(dir, "a", "b", "plan.json"), "[");
        for (let i = 0; i < 100; i++) sink.append(path.join(dir, "a", "b", "plan.json"), `${i === 0 ? "" : ","}${i}`);
        sink.append(path.join(dir, "a", "b", "plan.json"), "]");
        sink.write(path.join(dir, "a", "other.txt"), "first");
        sink.write(path.join(dir, "a", "other.txt"), "second");
        await sink.close();
        expect(JSON.parse(fs.readFileSync(path.join(dir, "a", "b", "plan.json"), "utf8"))).toEqual(Array.from({ length: 100 }, (_, i) => i));
        expect(fs.readFileSync(path.join(dir, "a", "other.txt"), "utf8")).toBe("second");
    });

    it("rejects close() with the first failure and skips what follows", async () => {
        const dir = tempDir();
        const sink = new BackgroundFileSink();
        sink.write(path.join(dir, "missing-directory", "file.txt"), "x");
        sink.write(path.join(dir, "after.txt"), "y");
        await expect(sink.close()).rejects.toThrow(/writing the plan's files failed: .*ENOENT/);
        expect(fs.existsSync(path.join(dir, "after.txt"))).toBe(false);
    });

    it("buffered: writes nothing before flush(), then each file once with its appends, directories first", () => {
        const dir = tempDir();
        const sink = new BufferedFileSink();
        sink.write(path.join(dir, "a", "b", "plan.json"), "[");
        sink.mkdir(path.join(dir, "a", "b"));
        for (let i = 0; i < 10; i++) sink.append(path.join(dir, "a", "b", "plan.json"), `${i === 0 ? "" : ","}${i}`);
        sink.append(path.join(dir, "a", "b", "plan.json"), "]");
        sink.write(path.join(dir, "a", "other.txt"), "first");
        sink.write(path.join(dir, "a", "other.txt"), "second");
        expect(fs.existsSync(path.join(dir, "a"))).toBe(false);
        sink.flush();
        expect(JSON.parse(fs.readFileSync(path.join(dir, "a", "b", "plan.json"), "utf8"))).toEqual(Array.from({ length: 10 }, (_, i) => i));
        expect(fs.readFileSync(path.join(dir, "a", "other.txt"), "utf8")).toBe("second");
        // Flushed once: a second flush writes nothing again.
        fs.rmSync(path.join(dir, "a"), { recursive: true });
        sink.flush();
        expect(fs.existsSync(path.join(dir, "a"))).toBe(false);
    });

    it("buffered: an append to a file never written is refused", () => {
        expect(() => new BufferedFileSink().append("/nowhere/plan.json", "x")).toThrow(/append to \/nowhere\/plan.json before it was written/);
    });
});
