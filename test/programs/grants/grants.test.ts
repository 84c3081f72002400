import { describe, expect, it } from "vitest";
import { synthesize } from "../../../tools/offline/mock-engine";
import { computedContract, grantsPlanConfig } from "../../../tools/offline/stack-plans";
import { readStackConfig, syntheticSecrets } from "../../../tools/offline/stack-files";
import { GRANTS_PROJECT, grantsStackName } from "../../../lib/stacks/naming";
import { InputValidationError } from "../../../lib/validation";
import { GRANTS_BACKUP_ACCESS_KEY, GRANTS_BACKUP_SECRET_KEY, GRANTS_CONTRACT_KEY, GRANTS_KUBECONFIG_KEY, GRANTS_PULL_PASSWORD_KEY, grantsContractValue, grantsHandOverCommands, missingHandOver } from "../../../programs/grants/load";
import { ROOT } from "../../helpers/synth";

const stackConfig = readStackConfig(ROOT, "dev");
const handedOver = (id: string) => grantsPlanConfig("dev", id, computedContract("dev", { ...syntheticSecrets(stackConfig), ...stackConfig }, id));

async function planGrants(id: string) {
    const { config, secretKeys } = handedOver(id);
    return synthesize({ stack: grantsStackName("dev", id), project: GRANTS_PROJECT, config, secretKeys, loadProgram: () => import("../../../programs/grants/index") });
}

describe("grants program (programs/grants)", () => {
    it("registers the project's ProjectGrants with its own provider on the handed contract, and exports its entry and deployer kubeconfig", async () => {
        const plan = await planGrants("hello");
        expect(plan.resources.filter((r) => r.type === "platform:project:ProjectGrants").map((r) => r.name)).toEqual(["hello"]);
        expect(plan.resources.filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => r.name)).toEqual(["cluster"]);
        expect(plan.outputs.projectContract).toMatchObject({ namespace: "hello", imageDigests: {} });
        expect(Object.keys(plan.outputs)).toEqual(["projectId", "projectContract", "deployerKubeconfig"]);
    });

    it("names each missing hand-over key with the command that hands it over (the program checks before registering anything)", () => {
        const missing = missingHandOver({ [GRANTS_CONTRACT_KEY]: "{}" }, "dev", "hello", false)!;
        expect(missing).toBeInstanceOf(InputValidationError);
        expect(missing.problems.map((p) => p.path)).toEqual([GRANTS_KUBECONFIG_KEY, GRANTS_PULL_PASSWORD_KEY]);
        expect(missing.problems[0]!.fix).toContain(grantsHandOverCommands("dev", "hello")[1]!);
        expect(missing.problems[1]!.fix).toContain(grantsHandOverCommands("dev", "hello")[2]!);
        expect(() => grantsContractValue({}, "dev", "hello")).toThrow(/the platform contract was not handed to this stack/);
        expect(() => grantsContractValue({ [GRANTS_CONTRACT_KEY]: "{not json" }, "dev", "hello")).toThrow(/is not the platform contract's JSON/);
        expect(grantsContractValue({ [GRANTS_CONTRACT_KEY]: JSON.stringify({ contractVersion: 4 }) }, "dev", "hello")).toEqual({ contractVersion: 4 });
    });

    it("asks for the backup bucket's keys only when the project has a database backed up off-cluster", () => {
        const none = {};
        expect(missingHandOver(none, "dev", "shop", false)!.problems.map((p) => p.path)).toEqual([GRANTS_KUBECONFIG_KEY, GRANTS_PULL_PASSWORD_KEY]);
        expect(missingHandOver(none, "dev", "shop", true)!.problems.map((p) => p.path)).toEqual([GRANTS_KUBECONFIG_KEY, GRANTS_PULL_PASSWORD_KEY, GRANTS_BACKUP_ACCESS_KEY, GRANTS_BACKUP_SECRET_KEY]);
        const all = { [GRANTS_KUBECONFIG_KEY]: "k", [GRANTS_PULL_PASSWORD_KEY]: "p", [GRANTS_BACKUP_ACCESS_KEY]: "a", [GRANTS_BACKUP_SECRET_KEY]: "s" };
        expect(missingHandOver(all, "dev", "shop", true)).toBeUndefined();
    });

    it("prints the laptop hand-over: only this project's entry and grant, the admin kubeconfig and only its own pull password", () => {
        const [contract, kubeconfig, pull] = grantsHandOverCommands("dev", "shop");
        expect(contract).toContain(`jq -c '.projects |= {"shop": .["shop"]} | .platformConfig.projectGrants |= with_entries(select(.key == "shop"))'`);
        expect(contract).toContain("pulumi config set grants:contract --stack dev--shop--grants --cwd programs/grants");
        expect(kubeconfig).toBe("pulumi stack output kubeconfig --show-secrets --stack dev | pulumi config set --secret grants:kubeconfig --stack dev--shop--grants --cwd programs/grants");
        expect(pull).toContain(`jq -r '.["shop"]'`);
    });
});
