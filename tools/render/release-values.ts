import * as fs from "node:fs";
import * as path from "node:path";
import { CHARTS, type ChartKey, type Values } from "../../charts/versions";
import { parsePlatformConfig } from "../../lib/config/load";
import type { PlatformConfig } from "../../lib/config/schema";
import { readStackConfig, syntheticSecrets } from "../offline/stack-files";
import { renderArgocdValues } from "../../components/argocd/values";

/**
 * The inputs of every `helm.v3.Release` of a stack, as the offline plan (`out/<stack>/plan.json`) records
 * them. A Release whose values travel as a Pulumi secret is written to the plan as `"[secret]"`; its values
 * are rebuilt here from the stack config with a fixed stand-in for the secret (the secret never changes what
 * the chart renders, only the content of a Secret), so the render and the digest test see the same values.
 */

/** One Release as the render and the digest see it. */
export interface ReleaseInput {
    /** Plan resource name (e.g. `argocd-release`). */
    readonly resource: string;
    /** Pin-table key of the chart. */
    readonly key: ChartKey;
    /** Helm release name. */
    readonly release: string;
    /** Namespace. */
    readonly namespace: string;
    /** Chart name. */
    readonly chart: string;
    /** Chart version. */
    readonly version: string;
    /** Values (secrets replaced by stand-ins). */
    readonly values: Values;
}

/** Stand-in for the Argo CD admin password hash (a syntactically valid bcrypt hash of nothing). */
export const OFFLINE_BCRYPT_HASH = `$2a$10$${"0".repeat(53)}`;

const REDACTED = "[secret]";

/** Rebuilds the values of charts whose whole values input is secret. */
const SECRET_VALUES_REBUILDERS: Partial<Record<ChartKey, (config: PlatformConfig) => Values>> = {
    argocd: (config) => renderArgocdValues(config, OFFLINE_BCRYPT_HASH),
};

function keyOfChart(chart: string): ChartKey {
    const key = (Object.keys(CHARTS) as ChartKey[]).find((k) => CHARTS[k].chart === chart);
    if (key === undefined) {
        throw new Error(`chart "${chart}" is not in charts/versions.ts`);
    }
    return key;
}

/** The validated config of a stack shipped in `rootDir`, with the offline plan's synthetic secrets. */
export function shippedStackConfig(rootDir: string, stack: string): PlatformConfig {
    const raw = readStackConfig(rootDir, stack);
    return parsePlatformConfig({ ...syntheticSecrets({}, raw), ...raw }, `Pulumi.${stack}.yaml`).config;
}

/** Every Release of a stack's written plan, with rebuilt values where the plan holds `"[secret]"`. */
export function releaseInputs(rootDir: string, stack: string, planFile = path.join(rootDir, "out", stack, "plan.json")): ReleaseInput[] {
    if (!fs.existsSync(planFile)) {
        throw new Error(`${planFile} is missing: run \`npm run plan -- --stack ${stack}\` first`);
    }
    const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as { resources: { type: string; name: string; inputs: Record<string, unknown> }[] };
    let config: PlatformConfig | undefined;
    return plan.resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => {
            const chart = String(r.inputs.chart);
            const key = keyOfChart(chart);
            let values = r.inputs.values as Values | string | undefined;
            if (values === REDACTED) {
                const rebuild = SECRET_VALUES_REBUILDERS[key];
                if (!rebuild) {
                    throw new Error(`${planFile}: the values of ${r.name} are secret and tools/render/release-values.ts has no rebuilder for chart "${chart}"`);
                }
                config ??= shippedStackConfig(rootDir, stack);
                values = rebuild(config);
            }
            return {
                resource: r.name,
                key,
                release: String(r.inputs.name),
                namespace: String(r.inputs.namespace),
                chart,
                version: String(r.inputs.version),
                values: (values ?? {}) as Values,
            };
        });
}
