import { parsePlatformConfig } from "../../lib/config/load";
import type { PlatformConfig } from "../../lib/config/schema";
import { readStackConfig, syntheticSecrets } from "../../lib/offline/stack-files";
import { ROOT } from "./synth";

/** The raw config map of a shipped stack plus synthetic secrets, as the offline plan passes it. */
export function rawStackConfig(stack: string, overrides: Record<string, string> = {}): Record<string, string> {
    return { ...syntheticSecrets({}), ...readStackConfig(ROOT, stack), ...overrides };
}

/** The validated config of a shipped stack. */
export function stackConfig(stack: string, overrides: Record<string, string> = {}): PlatformConfig {
    return parsePlatformConfig(rawStackConfig(stack, overrides), `Pulumi.${stack}.yaml`).config;
}
