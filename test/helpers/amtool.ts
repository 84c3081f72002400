import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";

/**
 * Alertmanager's own checker on a rendered configuration: `amtool check-config` (the same parser Alertmanager
 * loads its file with) and `amtool config routes test` (which receivers a label set is routed to). A missing
 * amtool fails the test with the install hint; it never skips.
 */

function amtool(): string {
    for (const candidate of ["/usr/bin/amtool"]) {
        if (fs.existsSync(candidate)) {
            return candidate;
        }
    }
    const which = spawnSync("sh", ["-c", "command -v amtool"], { encoding: "utf8" });
    if (which.status !== 0 || !which.stdout.trim()) {
        throw new Error("amtool is not installed: apt-get install -y prometheus-alertmanager (bash .ci/run does this)");
    }
    return which.stdout.trim();
}

function withConfig<T>(config: Record<string, unknown>, fn: (file: string) => T): T {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-amtool-"));
    try {
        const file = path.join(dir, "alertmanager.yaml");
        fs.writeFileSync(file, yaml.dump(config, { lineWidth: -1, noRefs: true }));
        return fn(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** `amtool check-config`: ok and the combined output. */
export function checkConfig(config: Record<string, unknown>): { ok: boolean; output: string } {
    return withConfig(config, (file) => {
        const result = spawnSync(amtool(), ["check-config", file], { encoding: "utf8" });
        return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
    });
}

/** The receivers a label set is routed to, in order (`amtool config routes test`). */
export function routeReceivers(config: Record<string, unknown>, labels: Record<string, string>): string[] {
    return withConfig(config, (file) => {
        const result = spawnSync(amtool(), ["config", "routes", "test", `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)], { encoding: "utf8" });
        if (result.status !== 0) {
            throw new Error(`amtool config routes test failed: ${result.stdout}${result.stderr}`);
        }
        return result.stdout.trim().split(",").filter((r) => r.length > 0);
    });
}
