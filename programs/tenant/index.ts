/**
 * Composition root of one tenant (app) stack (`<region>--<id>`, Pulumi project `platform-tenant`): exactly one
 * Project, from `stacks/<region>/projects/<id>.yaml`, against the platform contract its region's platform
 * stack exports and the entry its grants stack (`<region>--<id>--grants`, programs/grants) exports. Its config
 * holds this project's `secretEnv` values (`tenant:secrets`), the contract with only its own entry
 * (`tenant:contract`) and its own deployer kubeconfig (`tenant:kubeconfig`, the grants stack's output), which
 * the driver hands over on every run; nothing that grants anything, and no StackReference (which would copy every
 * output of the referenced stack, the admin credential among them, into this stack's state). The deployer may create only what the
 * Project registers, only in its namespace (components/project/deployer.ts).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Project } from "../../components/project/project";
import { checkContract } from "../../lib/stacks/contract";
import { parseTenantStackName, tenantStackName } from "../../lib/stacks/naming";
import { InputValidationError } from "../../lib/validation";
import { decodeConfigValue } from "../../lib/config/load";
import { applyPins, currentImages, IMAGES_OUTPUT, nextImageHistory, parseImageHistory, parsePins, PINS_KEY, PREVIOUS_IMAGES_KEY } from "../../lib/stacks/releases";
import { handOverCommands, loadTenantProject, TENANT_CONFIG_NAMESPACE, TENANT_CONTRACT_KEY, TENANT_KUBECONFIG_KEY, tenantContractValue, tenantSecretValues } from "./load";

/** Repository root: `stacks/<region>/projects/` and the stack files live there. */
const ROOT = path.resolve(__dirname, "../..");

export = async (): Promise<Record<string, unknown>> => {
    const stack = pulumi.getStack();
    const parsed = parseTenantStackName(stack);
    if (!parsed) {
        throw new InputValidationError([
            { source: `Pulumi.${stack}.yaml`, path: "(stack name)", problem: `"${stack}" is not a tenant stack name (<region>--<project id>)`, fix: `pulumi stack init ${tenantStackName("dev", "hello")} --cwd programs/tenant` },
        ]);
    }
    const { region, id } = parsed;
    const raw = pulumi.runtime.allConfig() as Record<string, string>;
    // Parsed before anything is read or registered: a malformed secret stops the program first.
    const secretValues = tenantSecretValues(raw);
    const contract = checkContract(tenantContractValue(raw, region, id), `${region} (as handed to this stack in ${TENANT_CONTRACT_KEY})`, id);
    if (raw[TENANT_KUBECONFIG_KEY] === undefined) {
        throw new InputValidationError([
            { source: "tenant stack config", path: TENANT_KUBECONFIG_KEY, problem: "this project's deployer credential was not handed to this stack", fix: `npm run deploy -- up --stack ${region} --tenant ${id} hands it over; from a laptop: ${handOverCommands(region, id)[1]}` },
        ]);
    }
    const tenant = loadTenantProject(process.env.PLATFORM_CATALOG_ROOT ?? ROOT, region, id, contract, new Set(Object.keys(secretValues)));
    // A rollback's pins (npm run deploy -- rollback) override the tenant file's commit of a built service.
    const pins = parsePins(raw[PINS_KEY] === undefined ? undefined : decodeConfigValue(raw[PINS_KEY]));
    const released = applyPins(tenant.spec, pins.pins, contract.projects[id]!.imageDigests);
    const pinProblems = [...pins.problems, ...released.problems];
    if (pinProblems.length > 0) {
        throw new InputValidationError(pinProblems.map((problem) => ({ source: `programs/tenant/Pulumi.${stack}.yaml`, path: PINS_KEY, problem, fix: `pulumi config rm --path '${PINS_KEY}.<service>' --stack ${stack} --cwd programs/tenant, or npm run deploy -- rollback --stack ${region} --tenant ${id} --service <service>` })));
    }
    for (const [service, pin] of Object.entries(pins.pins)) {
        const fileCommit = tenant.spec.services.find((s) => s.name === service)?.build?.commit;
        if (fileCommit !== pin.commit) {
            pulumi.log.warn(`service ${service} runs ${pin.commit.slice(0, 12)} (rolled back), not the tenant file's ${fileCommit?.slice(0, 12)}: remove ${PINS_KEY}.${service} from the stack file to release the file's commit again`);
        }
    }

    const provider = new k8s.Provider("cluster", {
        // The project's deployer: its Role allows the Project's kinds in its namespace and nothing else.
        kubeconfig: new pulumi.Config(TENANT_CONFIG_NAMESPACE).requireSecret("kubeconfig"),
        // The platform provider's identifier: resources moved here from the region stack are not replaced.
        clusterIdentifier: contract.clusterIdentifier,
        enableServerSideApply: true,
    });
    const project = new Project(
        tenant.spec.id,
        {
            project: released.spec,
            config: contract.platformConfig,
            secretValues: pulumi.secret(secretValues),
            // The platform built this project's images; its contract entry carries their digests (a pin's instead).
            imageDigests: released.digests,
        },
        { provider },
    );
    // Only the outputs the project has: an output that resolves to nothing is left out of the stack (with an
    // SDK warning per stack), so a project without a bucket or database does not declare one.
    return {
        /** Project id (the stack's key; stable across renames). */
        projectId: tenant.spec.id,
        /** Public URLs of the project. */
        urls: project.urls,
        /** Namespace of the project. */
        namespace: project.namespace,
        /** The built images each service ran, newest first: what `npm run deploy -- rollback` returns to (built projects only). */
        ...(released.spec.services.some((s) => s.build) ? { [IMAGES_OUTPUT]: nextImageHistory(parseImageHistory(raw[PREVIOUS_IMAGES_KEY] === undefined ? undefined : decodeConfigValue(raw[PREVIOUS_IMAGES_KEY])), currentImages(released.spec, released.digests)) } : {}),
        /** MinIO bucket, when the project has one. */
        ...(tenant.spec.bucket ? { bucket: project.bucket } : {}),
        ...(tenant.spec.database
            ? {
                  /** In-cluster database endpoint (`host:port`). */
                  databaseEndpoint: project.databaseEndpoint,
                  /** Database credentials (secret). */
                  databaseCredentials: project.databaseCredentials,
              }
            : {}),
    };
};
