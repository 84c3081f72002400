import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { renderServiceWait, SERVICE_GONE_EXIT, SERVICE_GONE_PROBES } from "../../lib/service-wait";
import { runBash, serviceAt } from "../helpers/service-dns";
import { shellcheck } from "../helpers/tools";

/**
 * The wait of a Job created beside the release it configures (lib/service-wait.ts), run by bash with real curl:
 * the service is `svc.invalid`, present or absent through curl's `resolve` option.
 */

const wait = { service: "Thing", release: "the thing's release", apiVariable: "api", pollVariable: "THING_POLL_SECONDS", pollSeconds: 10 };

function script(): string {
    return `#!/usr/bin/env bash\nset -euo pipefail\napi="\${THING_API}"\n${renderServiceWait(wait)}echo "thing answered"\n`;
}

describe("renderServiceWait", () => {
    let dir: string | undefined;
    let server: http.Server | undefined;
    afterEach(async () => {
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        server = undefined;
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    function setUp(): { file: string; curlHome: string } {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "service-wait-"));
        const curlHome = path.join(dir, "curl");
        fs.mkdirSync(curlHome);
        const file = path.join(dir, "wait.sh");
        fs.writeFileSync(file, script());
        return { file, curlHome };
    }

    it("is a script shellcheck accepts", () => {
        const check = shellcheck(script());
        expect(check.ok, check.output).toBe(true);
    });

    it(`exits ${SERVICE_GONE_EXIT} after ${SERVICE_GONE_PROBES} unresolved probes in a row once the name had resolved, naming the release`, async () => {
        const { file, curlHome } = setUp();
        // The Service exists, nothing answers yet: nothing listens on port 9 of this host.
        serviceAt(curlHome, "svc.invalid", 9);
        let gone = false;
        const result = await runBash(file, { THING_API: "http://svc.invalid:9", CURL_HOME: curlHome, THING_POLL_SECONDS: "0.1" }, (output) => {
            if (!gone && output.includes("(attempt 2)")) {
                gone = true;
                serviceAt(curlHome, "svc.invalid", undefined);
            }
        });
        expect(result.code, result.output).toBe(100);
        expect(result.output).toContain("Thing's Service is gone (its name stopped resolving): the thing's release failed and was rolled back");
        expect(result.output).not.toContain("thing answered");
        // The .curlrc goes after the second or third probe; the sixth unresolved one after it ends the script.
        const attempts = [...result.output.matchAll(/\(attempt (\d+)\)/g)].map((m) => Number(m[1]));
        expect([7, 8]).toContain(attempts.at(-1));
    }, 30_000);

    it("counts unresolved probes only in a row: a name that resolves again starts the count over", async () => {
        const { file, curlHome } = setUp();
        serviceAt(curlHome, "svc.invalid", 9);
        const flips: Record<string, number | undefined> = { "(attempt 2)": undefined, "(attempt 6)": 9, "(attempt 8)": undefined };
        const done = new Set<string>();
        const result = await runBash(file, { THING_API: "http://svc.invalid:9", CURL_HOME: curlHome, THING_POLL_SECONDS: "0.1" }, (output) => {
            for (const [marker, port] of Object.entries(flips)) {
                if (!done.has(marker) && output.includes(marker)) {
                    done.add(marker);
                    serviceAt(curlHome, "svc.invalid", port);
                }
            }
        });
        expect(result.code, result.output).toBe(100);
        // Five unresolved (attempts 3–6 at most) did not end it; the count restarted after the name came back.
        const attempts = [...result.output.matchAll(/\(attempt (\d+)\)/g)].map((m) => Number(m[1]));
        expect(attempts.at(-1)).toBeGreaterThanOrEqual(12);
    }, 30_000);

    it("waits while the name never resolved (the release has not created the Service yet), and goes on once the service answers", async () => {
        const { file, curlHome } = setUp();
        server = http.createServer((req, res) => res.writeHead(req.url === "/health" ? 200 : 404).end());
        await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()));
        const port = (server.address() as AddressInfo).port;
        let created = false;
        const result = await runBash(file, { THING_API: `http://svc.invalid:${port}`, CURL_HOME: curlHome, THING_POLL_SECONDS: "0.05" }, (output) => {
            if (!created && output.includes("(attempt 10)")) {
                created = true;
                serviceAt(curlHome, "svc.invalid", port);
            }
        });
        expect(result.code, result.output).toBe(0);
        expect(result.output).toContain("thing answered");
        expect(result.output).not.toContain("is gone");
    }, 30_000);
});
