/**
 * Kubernetes label selector matching (matchLabels, and matchExpressions with In, NotIn, Exists, DoesNotExist),
 * shared by the offline admission model (binding namespace selectors) and the offline scheduler (node affinity
 * terms). An operator it does not know is an error, never a silent match.
 */

/** A Kubernetes label selector (or a node selector term: matchExpressions only). */
export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Whether labels satisfy a label selector (an absent selector selects everything). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
    if (!selector) {
        return true;
    }
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
        if (labels[key] !== value) {
            return false;
        }
    }
    for (const expression of selector.matchExpressions ?? []) {
        const present = expression.key in labels;
        const value = labels[expression.key];
        const values = expression.values ?? [];
        const ok =
            expression.operator === "In" ? present && values.includes(value!) :
            expression.operator === "NotIn" ? !present || !values.includes(value!) :
            expression.operator === "Exists" ? present :
            expression.operator === "DoesNotExist" ? !present : undefined;
        if (ok === undefined) {
            throw new Error(`unknown label selector operator ${expression.operator}`);
        }
        if (!ok) {
            return false;
        }
    }
    return true;
}
