import { describe, expect, it } from "vitest";
import { otherStackDomains, validateTenantDocuments, type TenantContext } from "../../../lib/tenants/load";
import { InputValidationError, type InputProblem } from "../../../lib/validation";
import type { PlatformConfig } from "../../../lib/config/schema";
import { resourceCollisions } from "../../../components/project/urns";
import { renderProject } from "../../../components/project/render";
import { renderVolumeClaims, restoreStorageClassName } from "../../../components/project/volumes";
import { RESTORE_STORAGE_CLASS } from "../../../lib/conventions";
import { messagesOf, planned } from "../../helpers/policy-fixtures";
import { projectContext } from "../../../components/project/common";
import { backupTarget } from "../../../components/longhorn/values";
import { renderRestoreStorageClasses } from "../../../components/backups/volume-restores";
import { backupDrill, type PlannedObject } from "../../../tools/offline/backup-drill";
import { validateObject } from "../../helpers/k8s-schema";
import { ROOT } from "../../helpers/synth";
import { stackPlatformConfig } from "../project/fixtures";

/**
 * Restore as code for a tenant volume: a volume's `restore:` names a Longhorn backup and the volume it is of;
 * the platform stack writes a StorageClass whose `fromBackup` is that backup's URL on the stack's Longhorn target,
 * and the tenant's claim of that replica names it. The file is hostile input: a backup volume the operators did
 * not grant to the project is refused with the file, the key and the fix, as are malformed names and replicas
 * that do not exist.
 */

const VOLUME = "pvc-0f4c2d1e-6b7a-4c3d-9e8f-1a2b3c4d5e6f";
const BACKUP = "backup-0123456789abcdef";
const file = "stacks/fsn1/projects/shop.yaml";
const granted = stackPlatformConfig("fsn1", { projectGrants: { shop: { volumeBackups: [VOLUME] } } });
const ungranted = stackPlatformConfig("fsn1");

function shopFile(restore: string): { file: string; text: string } {
    return {
        file,
        text: [
            "name: shop",
            "owner: {name: Tenant, email: tenant@example.com}",
            "quota: {cpu: '4', memory: 8Gi, storage: 50Gi, pods: 20}",
            "services:",
            "  - name: store",
            "    image: ghcr.io/example/store:1.4.2",
            "    port: 8080",
            "    volumes:",
            `      - {name: data, size: 10Gi, class: fast, mountPath: /data, restore: ${restore}}`,
            "",
        ].join("\n"),
    };
}

const context = (config: PlatformConfig): TenantContext => ({ config, secretNames: new Map(), stack: "fsn1", otherStackDomains: otherStackDomains(ROOT, "fsn1"), catalogChecks: [resourceCollisions(config)] });

function problemsOf(restore: string, config: PlatformConfig): InputProblem[] {
    try {
        validateTenantDocuments([shopFile(restore)], context(config));
    } catch (error) {
        expect(error).toBeInstanceOf(InputValidationError);
        return (error as InputValidationError).problems;
    }
    return [];
}

describe("a tenant volume's restore", () => {
    it("is refused when the operators did not grant the backup's volume to the project, with the grant as the fix", () => {
        const problems = problemsOf(`{backup: ${BACKUP}, volume: ${VOLUME}}`, ungranted);
        expect(problems).toEqual([
            expect.objectContaining({ source: file, path: "services[store].volumes[data].restore.volume", fix: expect.stringContaining(`volumeBackups: [${VOLUME}] to platform:projectGrants.shop in Pulumi.fsn1.yaml`) }),
        ]);
        expect(problems[0]!.problem).toMatch(/not granted to this project/);
    });

    it("is refused for malformed backup or volume names and for a replica the service does not have", () => {
        const malformed = problemsOf("{backup: 'backup-x;rm', volume: '../caracal'}", granted);
        expect(malformed.map((p) => p.path).sort()).toEqual(["services[store].volumes[data].restore.backup", "services[store].volumes[data].restore.volume"]);
        const replica = problemsOf(`{backup: ${BACKUP}, volume: ${VOLUME}, ordinal: 3}`, granted);
        expect(replica).toEqual([expect.objectContaining({ path: "services[store].volumes[data].restore.ordinal" })]);
        expect(problemsOf(`{backup: ${BACKUP}, volume: ${VOLUME}, from: caracal}`, granted).map((p) => p.path)).toEqual(["services[store].volumes[data].restore.from"]);
    });

    it("renders the replica's claim on a StorageClass of its own that restores the backup from the stack's Longhorn target", () => {
        const [shop] = validateTenantDocuments([shopFile(`{backup: ${BACKUP}, volume: ${VOLUME}}`)], context(granted));
        const classes = renderRestoreStorageClasses(granted, [shop!.spec]);
        expect(classes).toHaveLength(1);
        const [sc] = classes;
        expect(sc!.metadata!.name).toBe("restore.shop.data-store-0");
        expect(sc!.provisioner).toBe("driver.longhorn.io");
        expect(sc!.reclaimPolicy).toBe("Retain");
        expect(sc!.parameters!.fromBackup).toBe(`${backupTarget(granted).url}?backup=${BACKUP}&volume=${VOLUME}`);
        expect(backupTarget(granted).url).toBe("s3://platform-longhorn-fsn1@fsn1/");
        // The restored claim keeps its class's placement (fast: NVMe disks, tagged nodes).
        expect(sc!.parameters).toMatchObject({ diskSelector: "nvme", nodeSelector: "fast" });
        expect(validateObject(sc!).status).toBe("valid");
        const claims = renderVolumeClaims(projectContext(shop!.spec, granted), shop!.spec.services[0]!);
        expect(claims.map((c) => [c.metadata!.name, c.spec!.storageClassName])).toEqual([["data-store-0", "restore.shop.data-store-0"]]);
    });

    it("names each restore class after its one namespace, so no two projects' restores share a class (review 19, finding 3)", () => {
        // The former restore-<namespace>-<claim> gave both of these restore-a-b-c.
        expect(restoreStorageClassName("a-b", "c")).not.toBe(restoreStorageClassName("a", "b-c"));
        expect(RESTORE_STORAGE_CLASS.ownerOf(restoreStorageClassName("a-b", "c"))).toBe("a-b");
        expect(RESTORE_STORAGE_CLASS.ownerOf(restoreStorageClassName("a", "b-c"))).toBe("a");
        expect(RESTORE_STORAGE_CLASS.ownerOf("restore-a-b-c")).toBeUndefined();
        const [shop] = validateTenantDocuments([shopFile(`{backup: ${BACKUP}, volume: ${VOLUME}}`)], context(granted));
        const [sc] = renderRestoreStorageClasses(granted, [shop!.spec]);
        expect(sc!.metadata!.labels).toMatchObject({ "platform/project": "shop" });
        // The rendered class and the claim naming it pass the pack's owner rule.
        const claims = renderVolumeClaims(projectContext(shop!.spec, granted), shop!.spec.services[0]!);
        const resources = [planned("kubernetes:storage.k8s.io/v1:StorageClass", "sc", sc as unknown as Record<string, unknown>), ...claims.map((c) => planned("kubernetes:core/v1:PersistentVolumeClaim", c.metadata!.name!, c as unknown as Record<string, unknown>))];
        expect(messagesOf("tenancy-restore-storage-class", resources)).toEqual([]);
    });

    it("keeps the restored claim on a backup path in the drill (its class is a Longhorn class of the plan)", () => {
        const [shop] = validateTenantDocuments([shopFile(`{backup: ${BACKUP}, volume: ${VOLUME}}`)], context(granted));
        const rendered = renderProject(shop!.spec, granted);
        const objects = [
            { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { "platform/tenant": "true" } } },
            ...rendered.services.flatMap((s) => [s.workload, ...(s.claims ?? [])]),
            ...renderRestoreStorageClasses(granted, [shop!.spec]),
            { apiVersion: "longhorn.io/v1beta2", kind: "RecurringJob", metadata: { name: "backup", namespace: "longhorn-system" }, spec: { task: "backup", groups: ["default"] } },
        ] as unknown as PlannedObject[];
        const report = backupDrill({ config: granted, objects, longhornBackupTarget: backupTarget(granted).url, projects: [], veleroLocation: undefined });
        expect(report.paths.filter((p) => p.method === "longhorn-recurring-backup").map((p) => p.object)).toContain("shop/PersistentVolumeClaim/data-store-0");
        expect(report.problems.filter((p) => /not a Longhorn class/.test(p))).toEqual([]);
    });
});
