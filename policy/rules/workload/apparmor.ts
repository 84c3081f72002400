import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ALLOWED_APPARMOR_PROFILE_TYPES, APPARMOR_ANNOTATION_PREFIX, appArmorAnnotationAllowed } from "../../lib/catalogue";
import { describeContainer, podMetadataOf } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";
import { buildExceptionProblems } from "../../lib/build-exception";
import { asRecord, asString, asStringMap } from "../../lib/values";

/**
 * AppArmor stays on: no `Unconfined` profile, neither through the `appArmorProfile` field (pod or container)
 * nor the deprecated per-container annotation (Pod Security Standards baseline, pod-security-admission
 * policy/check_appArmorProfile.go), except for rootless BuildKit in a platform build pod that meets every
 * condition of the build exception (policy/lib/build-exception.ts).
 */
export const workloadAppArmor: ResourceValidationPolicy = {
    name: "workload-apparmor",
    description: "Pods and containers must not run AppArmor-unconfined.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ args, podSecurityContext, containers, podSpec, namespace, podLabels }, report) => {
        const annotations = asStringMap(podMetadataOf(args.type, args.props).annotations);
        for (const [key, value] of Object.entries(annotations)) {
            if (key.startsWith(APPARMOR_ANNOTATION_PREFIX) && !appArmorAnnotationAllowed(value)) {
                report(`pod annotation ${key} is "${value}"`);
            }
        }
        const check = (where: string, profile: Record<string, unknown> | undefined) => {
            const type = asString(profile?.type);
            if (type !== undefined && !ALLOWED_APPARMOR_PROFILE_TYPES.includes(type)) {
                report(`${where} sets appArmorProfile.type ${type}`);
            }
        };
        check("pod", asRecord(podSecurityContext.appArmorProfile));
        for (const ref of containers) {
            const profile = asRecord(ref.securityContext.appArmorProfile);
            if (asString(profile?.type) === "Unconfined" && buildExceptionProblems(namespace, podSpec, ref, podLabels).length === 0) {
                continue; // rootless BuildKit of a platform build (policy/lib/catalogue.ts BUILD_EXCEPTION)
            }
            check(describeContainer(ref), profile);
        }
    }),
};
