import { describe, expect, it } from "vitest";
import type { IValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import type { IValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";
import { ADMISSION_POLICY_NAMES } from "../../components/guardrails/admission-policies";
import { SANDBOX_POLICY_NAME } from "../../components/project/sandbox-policy";
import { RESTORE_STORAGE_CLASS } from "../../lib/conventions";
import { admit, RESOURCE_OF_KIND } from "../../tools/offline/admission";
import { validateObject } from "../helpers/k8s-schema";
import { readManifests, readManifestsWithWriter, STACKS } from "../helpers/plans";
import { ROOT } from "../helpers/synth";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/**
 * The admission policies as each shipped stack plans them, run (CEL evaluated offline) over every object that
 * stack puts into a tenant namespace: the platform's own tenant objects must pass its own guardrails, or the
 * first real `up` would be refused by the API server.
 */
describe.each(STACKS)("admission policies of stack %s", (stack) => {
    const objects = readManifests(stack) as Array<Record<string, any>>;
    const policies = objects.filter((o) => o.kind === "ValidatingAdmissionPolicy") as IValidatingAdmissionPolicy[];
    const bindings = objects.filter((o) => o.kind === "ValidatingAdmissionPolicyBinding") as IValidatingAdmissionPolicyBinding[];
    const tenantNamespaces = new Map(objects.filter((o) => o.kind === "Namespace" && o.metadata?.labels?.["platform/tenant"] === "true").map((o) => [o.metadata.name as string, o]));

    it("plans every guardrail policy with its binding", () => {
        for (const name of [...Object.values(ADMISSION_POLICY_NAMES), SANDBOX_POLICY_NAME]) {
            expect(policies.map((p) => p.metadata?.name)).toContain(name);
            expect(bindings.find((b) => b.spec?.policyName === name)?.spec?.validationActions).toEqual(["Deny"]);
        }
        expect(tenantNamespaces.size).toBeGreaterThan(0);
        for (const object of [...policies, ...bindings]) {
            expect(validateObject(object).status, object.metadata?.name).toBe("valid");
        }
    });

    it("admits every object the stack puts into a tenant namespace", () => {
        const guarded = new Set(policies.flatMap((p) => (p.spec?.matchConstraints?.resourceRules ?? []).flatMap((r) => r.resources ?? [])));
        // Every resource a policy guards is known to the offline REST mapping, so no guarded object is skipped below.
        // Subresources (pods/ephemeralcontainers) are requests on a running pod, never objects a stack creates.
        expect([...guarded].filter((r) => !r.includes("/") && !Object.values(RESOURCE_OF_KIND).includes(r))).toEqual([]);
        const denied: string[] = [];
        let checked = 0;
        // The platform and grants stacks write with the cluster's admin credentials (k3s's system:admin), a tenant app stack as its deployer.
        const admin = { username: "system:admin", groups: ["system:masters", "system:authenticated"] };
        for (const { object, writer } of readManifestsWithWriter(stack) as Array<{ object: Record<string, any>; writer: "platform" | "tenant" }>) {
            const namespace = tenantNamespaces.get(object.metadata?.namespace);
            if (!namespace || !RESOURCE_OF_KIND[object.kind]) {
                continue;
            }
            for (const policy of policies) {
                const binding = bindings.find((b) => b.spec?.policyName === policy.metadata?.name)!;
                const decision = admit(policy, binding, { object, namespaceObject: namespace, operation: "CREATE", ...(writer === "platform" ? { userInfo: admin } : {}) });
                checked += decision.matched ? 1 : 0;
                if (!decision.allowed) {
                    denied.push(`${object.kind} ${object.metadata.namespace}/${object.metadata.name}: ${decision.messages.join("; ")}`);
                }
            }
        }
        expect(denied).toEqual([]);
        expect(checked).toBeGreaterThan(tenantNamespaces.size);
    });

    // Review 19, findings 2 and 3, against the policies as this stack plans them.
    const deniedBy = (object: Record<string, any>, namespace: Record<string, any>) =>
        policies.filter((policy) => !admit(policy, bindings.find((b) => b.spec?.policyName === policy.metadata?.name)!, { object, namespaceObject: namespace, operation: "CREATE" }).allowed).map((p) => p.metadata?.name);

    it("refuses a claim in one tenant namespace on another project's restore StorageClass", () => {
        const [own, namespace] = [...tenantNamespaces][0]!;
        const other = "another-project";
        const claim = (storageClassName: string) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data-web-0", namespace: own }, spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: "1Gi" } } } });
        expect(deniedBy(claim(RESTORE_STORAGE_CLASS.name(other, "data-web-0")), namespace)).toEqual([ADMISSION_POLICY_NAMES.volumes]);
        expect(deniedBy(claim(RESTORE_STORAGE_CLASS.name(own, "data-web-0")), namespace)).toEqual([]);
    });

    // Every stack whose catalog declares a redis (fsn1's and hel1's caracal, untrusted) plans its group; each is
    // admitted as planned and refused once a field that reaches its unsandboxed pods is changed. The projects with
    // a redis are read from the stack's files, so a stack without one (dev) checks that it plans none.
    it("refuses each planned RedisReplication changed to reach its unsandboxed pods (exec probe, any toleration, no ACL)", () => {
        const catalog = path.join(ROOT, "stacks", stack, "projects");
        const declared = fs.readdirSync(catalog).filter((f) => f.endsWith(".yaml") && (yaml.load(fs.readFileSync(path.join(catalog, f), "utf8")) as Record<string, unknown>)?.redis !== undefined).map((f) => f.replace(/\.yaml$/, "")).sort();
        const groups = objects.filter((o) => o.kind === "RedisReplication");
        expect(groups.map((g) => g.metadata.namespace).sort()).toEqual(declared);
        for (const group of groups) {
            const namespace = tenantNamespaces.get(group.metadata.namespace)!;
            expect(deniedBy(group, namespace), group.metadata.namespace).toEqual([]);
            const probed = { ...group, spec: { ...group.spec, livenessProbe: { exec: { command: ["sh", "-c", "id"] } } } };
            expect(deniedBy(probed, namespace)).toEqual([ADMISSION_POLICY_NAMES.redis]);
            const tolerant = { ...group, spec: { ...group.spec, tolerations: [{ operator: "Exists" }] } };
            expect(deniedBy(tolerant, namespace)).toEqual([ADMISSION_POLICY_NAMES.redis]);
            if (namespace.metadata.labels["platform/trust"] !== "trusted") {
                const { acl: _acl, ...withoutAcl } = group.spec;
                expect(deniedBy({ ...group, spec: withoutAcl }, namespace)).toEqual([ADMISSION_POLICY_NAMES.redis]);
            }
        }
    });

    it("refuses a claim naming another project's restore class by the beta storage-class annotation", () => {
        const [own, namespace] = [...tenantNamespaces][0]!;
        const claim = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data-web-0", namespace: own, annotations: { "volume.beta.kubernetes.io/storage-class": RESTORE_STORAGE_CLASS.name("another-project", "data-web-0") } }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } };
        expect(deniedBy(claim, namespace)).toEqual([ADMISSION_POLICY_NAMES.volumes]);
    });
});
