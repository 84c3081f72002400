import { TENANT_PLACEMENT } from "./catalogue";
import { asArray, asRecord, asString, asStringMap, asStrings } from "./values";

/**
 * Why a tenant pod spec may reach nodes outside the tenant pools ({@link TENANT_PLACEMENT}); empty when it
 * cannot. The same conditions as the tenant pod admission policy (components/guardrails/admission-policies.ts).
 */
export function tenantPlacementProblems(podSpec: Record<string, unknown>): string[] {
    const problems: string[] = [];
    const nodeName = asString(podSpec.nodeName) ?? "";
    if (nodeName !== "") {
        problems.push(`sets nodeName ${nodeName} (it skips the scheduler and every taint)`);
    }
    for (const entry of asArray(podSpec.tolerations)) {
        const toleration = asRecord(entry) ?? {};
        if (!isTenantToleration(toleration)) {
            problems.push(`tolerates ${JSON.stringify(toleration)}: only ${TENANT_PLACEMENT.toleratedTaint.key}=${TENANT_PLACEMENT.toleratedTaint.value} and the ${TENANT_PLACEMENT.nodeConditionTaintPrefix}* node conditions`);
        }
    }
    const selector = asStringMap(podSpec.nodeSelector);
    const pool = selector[TENANT_PLACEMENT.poolLabel];
    if (pool !== undefined && !(TENANT_PLACEMENT.pools as readonly string[]).includes(pool)) {
        problems.push(`selects nodeSelector ${TENANT_PLACEMENT.poolLabel}: ${pool}`);
    }
    for (const label of TENANT_PLACEMENT.nodeNameLabels) {
        if (label in selector) {
            problems.push(`selects a node by name (nodeSelector ${label})`);
        }
    }
    const nodeAffinity = asRecord(asRecord(podSpec.affinity)?.nodeAffinity) ?? {};
    const terms = [
        ...asArray(asRecord(nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms),
        ...asArray(nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).map((p) => asRecord(p)?.preference),
    ];
    for (const entry of terms) {
        const term = asRecord(entry) ?? {};
        if (asArray(term.matchFields).length > 0) {
            problems.push("selects a node by name (nodeAffinity matchFields)");
        }
        for (const raw of asArray(term.matchExpressions)) {
            const expression = asRecord(raw) ?? {};
            const key = asString(expression.key) ?? "";
            if ((TENANT_PLACEMENT.nodeNameLabels as readonly string[]).includes(key)) {
                problems.push(`selects a node by name (nodeAffinity ${key})`);
            } else if (key === TENANT_PLACEMENT.poolLabel && !poolExpressionStaysInTenantPools(expression)) {
                problems.push(`selects other pools (nodeAffinity ${key} ${asString(expression.operator) ?? "?"} ${JSON.stringify(asStrings(expression.values))})`);
            }
        }
    }
    return problems;
}

/** A toleration of the run pool's taint or of a Kubernetes node condition (never an empty key: that is every taint). */
function isTenantToleration(toleration: Record<string, unknown>): boolean {
    const key = asString(toleration.key) ?? "";
    if (key.startsWith(TENANT_PLACEMENT.nodeConditionTaintPrefix)) {
        return true;
    }
    const operator = asString(toleration.operator) ?? "Equal";
    return key === TENANT_PLACEMENT.toleratedTaint.key && operator === "Equal" && asString(toleration.value) === TENANT_PLACEMENT.toleratedTaint.value;
}

/** `platform/pool In [...]` over tenant pools only (NotIn, Exists and DoesNotExist reach other pools). */
function poolExpressionStaysInTenantPools(expression: Record<string, unknown>): boolean {
    const values = asStrings(expression.values);
    return asString(expression.operator) === "In" && values.length > 0 && values.every((v) => (TENANT_PLACEMENT.pools as readonly string[]).includes(v));
}
