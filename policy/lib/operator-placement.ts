import { TENANT_PLACEMENT } from "./catalogue";
import { asRecord, sameValue } from "./values";

/**
 * Where the Percona operators' pods of a tenant cluster may run: the placement components/project/mysql.ts and
 * components/project/mongodb.ts render, for every trust and pool layout (review 19b, finding 8c). The operators copy
 * each field of a pod group (pxc_types.go PodSpec and BackupStorageSpec at v1.19.0, psmdb_types.go MultiAZ at
 * v1.22.0) into the StatefulSet or Job they create, which the operator itself sends; so a field the tenant chose
 * would put the database pods (trusted projects' run outside gVisor) onto platform nodes or ahead of them.
 * - `nodeSelector`: exactly `{<pool label>: run}` (or `server` on a stack without a run pool);
 * - `tolerations`: none, or exactly the run pool's taint (`pool=run:NoSchedule`);
 * - `affinity`: none, or only the operator's own anti-affinity on `kubernetes.io/hostname` (members apart; the
 *   `advanced` corev1 affinity would draw pods to a node); backup storages take a plain corev1 affinity: none;
 * - `runtimeClassName`: none or gVisor (untrusted projects get gVisor, and the sandbox policy holds the pods to it);
 * - `priorityClassName`, `topologySpreadConstraints`, `schedulerName`: not rendered, so none.
 */
export const OPERATOR_PLACEMENT = {
    nodeSelectors: TENANT_PLACEMENT.pools.map((pool) => ({ [TENANT_PLACEMENT.poolLabel]: pool })),
    toleration: { key: TENANT_PLACEMENT.toleratedTaint.key, operator: "Equal", value: TENANT_PLACEMENT.toleratedTaint.value, effect: "NoSchedule" },
    podAffinity: { antiAffinityTopologyKey: "kubernetes.io/hostname" },
    runtimeClassNames: ["gvisor"],
    refusedFields: ["priorityClassName", "topologySpreadConstraints", "schedulerName"],
} as const;

/** How a pod group's `affinity` is shaped: the operators' PodAffinity (pxc/haproxy/replsets), or a corev1 Affinity (PXC backup storages). */
export type AffinityShape = "operator" | "core";

const sameEntries = (a: unknown, b: Record<string, unknown>): boolean => {
    const record = asRecord(a);
    return record !== undefined && sameValue(record, b);
};

/** Why the placement fields of one operator pod group (at `where`, e.g. `pxc.`) differ from {@link OPERATOR_PLACEMENT}. */
export function operatorPlacementProblems(group: Record<string, unknown>, where: string, affinity: AffinityShape): string[] {
    const problems: string[] = [];
    if (!OPERATOR_PLACEMENT.nodeSelectors.some((allowed) => sameEntries(group.nodeSelector, allowed))) {
        problems.push(`${where}nodeSelector ${JSON.stringify(group.nodeSelector ?? null)} is not the platform's (${OPERATOR_PLACEMENT.nodeSelectors.map((s) => JSON.stringify(s)).join(" or ")}): tenant database pods stay on the tenant pool`);
    }
    const tolerations = group.tolerations;
    const tolerationsOk = tolerations === undefined || (Array.isArray(tolerations) && (tolerations.length === 0 || (tolerations.length === 1 && sameEntries(tolerations[0], OPERATOR_PLACEMENT.toleration))));
    if (!tolerationsOk) {
        problems.push(`${where}tolerations ${JSON.stringify(tolerations)} are not the platform's (${JSON.stringify([OPERATOR_PLACEMENT.toleration])}): another taint would let tenant database pods onto platform nodes`);
    }
    if (group.affinity !== undefined && !(affinity === "operator" && sameEntries(group.affinity, OPERATOR_PLACEMENT.podAffinity))) {
        problems.push(`${where}affinity ${JSON.stringify(group.affinity)} is not ${affinity === "operator" ? JSON.stringify(OPERATOR_PLACEMENT.podAffinity) : "unset"} (no node or pod affinity choosing where tenant database pods run)`);
    }
    if (group.runtimeClassName !== undefined && !(OPERATOR_PLACEMENT.runtimeClassNames as readonly unknown[]).includes(group.runtimeClassName)) {
        problems.push(`${where}runtimeClassName ${JSON.stringify(group.runtimeClassName)} is neither unset nor ${OPERATOR_PLACEMENT.runtimeClassNames.join(", ")}`);
    }
    for (const field of OPERATOR_PLACEMENT.refusedFields) {
        if (group[field] !== undefined) {
            problems.push(`${where}${field} is set (the platform schedules tenant database pods with the default scheduler, priority and spread)`);
        }
    }
    return problems;
}
