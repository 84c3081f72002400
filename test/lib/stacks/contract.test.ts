import { describe, expect, it } from "vitest";
import { appContractFor, checkContract, ContractError, CONTRACT_VERSION, isProjectAccess } from "../../../lib/stacks/contract";
import { projectEntry, renderContract } from "../../../programs/platform/contract";
import { stackPlatformConfig } from "../../components/project/fixtures";

const config = stackPlatformConfig("dev");
const contract = renderContract({ region: "dev", config, tenants: [{ id: "hello" }, { id: "overlay" }], clusterIdentifier: "platform-dev", ingressMiddlewares: ["traefik-security-headers@kubernetescrd"] });

describe("platform contract", () => {
    it("carries each project's namespace and grant by id, the domain, issuers, classes, runtime class and registries", () => {
        expect(contract.contractVersion).toBe(CONTRACT_VERSION);
        expect(Object.keys(contract.projects)).toEqual(["hello", "overlay"]);
        expect(contract.projects.hello).toEqual({ namespace: "hello", grant: config.projectGrants.hello, imageDigests: {} });
        expect(contract.projects.overlay!.grant).toEqual({ trust: "untrusted", egressPorts: [], customDomains: [], git: [], publicPorts: [] });
        expect(contract.domain).toBe(config.domain);
        expect(contract.registries).toEqual(config.allowedRegistries);
        expect(contract.runtimeClass).toBe("gvisor");
        expect(contract.ingressMiddlewares).toEqual(["traefik-security-headers@kubernetescrd"]);
        // Plain data: it goes through a stack output and a JSON file unchanged.
        expect(JSON.parse(JSON.stringify(contract))).toEqual(contract);
    });

    it("hands an app stack the entry its grants stack exported (the digests its builds pushed), and no other project's", () => {
        const digest = `sha256:${"ab".repeat(32)}`;
        const entry = projectEntry(config, "overlay", { app: digest });
        const app = appContractFor(contract, "overlay", entry);
        expect(app.projects).toEqual({ overlay: { namespace: "overlay", grant: contract.projects.overlay!.grant, imageDigests: { app: digest } } });
        expect(Object.keys(app.platformConfig.projectGrants)).toEqual(Object.keys(config.projectGrants).includes("overlay") ? ["overlay"] : []);
        // The platform stack builds nothing: its contract lists no digest.
        expect(contract.projects.overlay!.imageDigests).toEqual({});
        expect(isProjectAccess(entry)).toBe(true);
        expect(isProjectAccess({ namespace: "overlay" })).toBe(false);
    });

    it("is accepted for a project it lists", () => {
        expect(checkContract(JSON.parse(JSON.stringify(contract)), "acme/platform/dev", "hello").projects.hello!.namespace).toBe("hello");
    });

    it("fails loudly on a missing contract, another version, missing fields or a project it does not list", () => {
        expect(() => checkContract(undefined, "acme/platform/dev", "hello")).toThrow(/exports no platformContract: run `pulumi up` on the platform stack first/);
        expect(() => checkContract({ ...contract, contractVersion: CONTRACT_VERSION + 1 }, "acme/platform/dev", "hello")).toThrow(
            new RegExp(`version ${CONTRACT_VERSION + 1}, this tenant program reads version ${CONTRACT_VERSION}: run the tenant stack from the same checkout`),
        );
        expect(() => checkContract({ ...contract, contractVersion: 0 }, "acme/platform/dev", "hello")).toThrow(/update the platform stack first/);
        const { platformConfig: _dropped, ...partial } = contract;
        expect(() => checkContract(partial, "acme/platform/dev", "hello")).toThrow(/lacks platformConfig/);
        expect(() => checkContract(contract, "acme/platform/dev", "shop")).toThrow(ContractError);
        expect(() => checkContract(contract, "acme/platform/dev", "shop")).toThrow(/grants nothing to project id "shop".*stacks\/dev\/projects\/shop\.yaml/);
    });
});
