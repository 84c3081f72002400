import { Worker } from "node:worker_threads";
import * as fs from "node:fs";

/** Where the plan's output files go: written in call order. */
export interface FileSink {
    /** Creates a directory (and its parents). */
    mkdir(directory: string): void;
    /** Writes (replaces) a file. */
    write(file: string, text: string): void;
    /** Appends to a file (`write` it first). */
    append(file: string, text: string): void;
}

/** Writes at once, on the calling thread. */
export const syncFileSink: FileSink = {
    mkdir: (directory) => fs.mkdirSync(directory, { recursive: true }),
    write: (file, text) => fs.writeFileSync(file, text),
    append: (file, text) => fs.appendFileSync(file, text),
};

/**
 * Holds a small plan's files in memory and writes each at `flush()` with one call (a file written and then
 * appended to, as plan.json is, is one write instead of one per part): a tenant stack's few files, where a
 * worker thread costs more than the writes and each append is a system call.
 */
export class BufferedFileSink implements FileSink {
    private readonly directories: string[] = [];
    private readonly texts = new Map<string, string[]>();

    mkdir(directory: string): void {
        this.directories.push(directory);
    }

    write(file: string, text: string): void {
        this.texts.set(file, [text]);
    }

    append(file: string, text: string): void {
        const parts = this.texts.get(file);
        if (!parts) {
            throw new Error(`append to ${file} before it was written`);
        }
        parts.push(text);
    }

    /** Writes everything (directories first, in call order), then forgets it. */
    flush(): void {
        for (const directory of this.directories) {
            fs.mkdirSync(directory, { recursive: true });
        }
        for (const [file, parts] of this.texts) {
            fs.writeFileSync(file, parts.join(""));
        }
        this.directories.length = 0;
        this.texts.clear();
    }
}

type Operation = { op: "mkdir"; path: string } | { op: "write" | "append"; path: string; text: string } | { op: "close" };

// Plain JavaScript run with `eval`: the worker needs no TypeScript loader.
const WORKER_SOURCE = `
const fs = require("node:fs");
const { parentPort } = require("node:worker_threads");
let failure;
parentPort.on("message", (operation) => {
    try {
        if (operation.op === "close") {
            parentPort.postMessage({ failure });
            parentPort.close();
        } else if (!failure && operation.op === "mkdir") {
            fs.mkdirSync(operation.path, { recursive: true });
        } else if (!failure && operation.op === "write") {
            fs.writeFileSync(operation.path, operation.text);
        } else if (!failure && operation.op === "append") {
            fs.appendFileSync(operation.path, operation.text);
        }
    } catch (error) {
        failure = String(error && error.message ? error.message : error);
    }
});
`;

/**
 * Writes on a worker thread, in call order, so the plan's disk writes (a thousand files and 80 MB of
 * plan.json for 1,000 tenants, a second on a slow disk) overlap with the policy evaluation on the main
 * thread. `close()` resolves when everything is written and rejects with the first failure.
 */
export class BackgroundFileSink implements FileSink {
    private readonly worker = new Worker(WORKER_SOURCE, { eval: true });

    mkdir(directory: string): void {
        this.post({ op: "mkdir", path: directory });
    }

    write(file: string, text: string): void {
        this.post({ op: "write", path: file, text });
    }

    append(file: string, text: string): void {
        this.post({ op: "append", path: file, text });
    }

    /** Waits for every write; rejects with the first one that failed (later ones are skipped). */
    close(): Promise<void> {
        return new Promise((resolve, reject) => {
            this.worker.once("error", reject);
            this.worker.once("message", (reply: { failure?: string }) => {
                void this.worker.terminate();
                if (reply.failure) {
                    reject(new Error(`writing the plan's files failed: ${reply.failure}`));
                } else {
                    resolve();
                }
            });
            this.post({ op: "close" });
        });
    }

    private post(operation: Operation): void {
        this.worker.postMessage(operation);
    }
}
