import type { NodeSpec } from "../nodes/node-plan";

/**
 * Scripts run on a server (over SSH on the tailnet, with k3s' bundled kubectl) after the nodes started:
 * one reconciles a node's platform labels and taints, one waits for a pool's nodes to be Ready.
 *
 * k3s applies `node-label`/`node-taint` only when a node registers, so a changed pool (storage turned on,
 * a pool made dedicated, servers made schedulable) would otherwise never reach the running nodes.
 */

/** Label keys the platform owns on nodes: every `platform/` label; others (Longhorn's, k3s') are left alone. */
export const OWNED_LABEL_PREFIX = "platform/";

/** Taint keys the platform sets (node-plan.ts); other taints (node lifecycle, cordon, upgrades) are left alone. */
export const OWNED_TAINT_KEYS = ["pool", "CriticalAddonsOnly"] as const;

/** Waits of the node scripts. */
export interface NodeWaits {
    /** Seconds a node may take to appear (its start command already saw the unit active). */
    registerSeconds: number;
    /** Seconds a pool's nodes may take to become Ready after their start commands finished. */
    readySeconds: number;
    /** Seconds between two checks. */
    pollSeconds: number;
}

/** Default waits: registration and CNI take a minute or two once k3s runs; the bound catches a stuck node. */
export const NODE_WAITS: Readonly<NodeWaits> = { registerSeconds: 600, readySeconds: 900, pollSeconds: 10 };

/** A taint as `key=value:effect` (node-plan.ts) split into its parts. */
export interface ParsedTaint {
    /** Taint key (`pool`, `CriticalAddonsOnly`). */
    key: string;
    /** Taint value, empty for `key:effect`. */
    value: string;
    /** What the taint does to pods that do not tolerate it. */
    effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** Parses `key=value:effect` / `key:effect`; anything else is a programming error in the node plan. */
export function parseTaint(taint: string): ParsedTaint {
    const match = /^([A-Za-z0-9./_-]+)(?:=([A-Za-z0-9._-]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(taint);
    if (!match) {
        throw new Error(`node taint "${taint}" is not key[=value]:NoSchedule|PreferNoSchedule|NoExecute`);
    }
    return { key: match[1]!, value: match[2] ?? "", effect: match[3] as ParsedTaint["effect"] };
}

const SAFE = /^[A-Za-z0-9./_=:-]+$/;
function safe(word: string, what: string): string {
    if (!SAFE.test(word)) {
        throw new Error(`${what} "${word}" contains characters a node script cannot pass unquoted`);
    }
    return word;
}

function owned(labels: Record<string, string>): string[] {
    return Object.entries(labels)
        .filter(([key]) => key.startsWith(OWNED_LABEL_PREFIX))
        .map(([key, value]) => safe(`${key}=${value}`, "node label"))
        .sort();
}

/**
 * Reconciles one node: sets its platform labels (`--overwrite`), removes `platform/` labels it should no longer
 * carry, removes owned taints not in the plan (any effect) and sets the planned ones (`--overwrite`).
 */
export function renderNodeLabelScript(node: Pick<NodeSpec, "hostname" | "labels" | "taints">, waits: NodeWaits = NODE_WAITS): string {
    const name = safe(node.hostname, "node name");
    const labels = owned(node.labels);
    const keep = labels.map((l) => l.split("=")[0]!);
    const taints = node.taints.map(parseTaint);
    const wanted = taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`);
    for (const t of taints) {
        if (!(OWNED_TAINT_KEYS as readonly string[]).includes(t.key)) {
            throw new Error(`node ${name}: taint key "${t.key}" is not one the platform owns (${OWNED_TAINT_KEYS.join(", ")})`);
        }
    }
    return `#!/usr/bin/env bash
# Reconcile labels and taints of ${name}: rendered by components/cluster/node-pool-scripts.ts.
set -euo pipefail
node="${name}"
kubectl() { k3s kubectl "$@"; }

deadline=$((SECONDS + ${waits.registerSeconds}))
until kubectl get node "\${node}" >/dev/null 2>&1; do
  if [ "\${SECONDS}" -ge "\${deadline}" ]; then
    echo "node \${node} did not register within ${waits.registerSeconds}s" >&2
    exit 1
  fi
  sleep ${waits.pollSeconds}
done

${labels.length > 0 ? `kubectl label node "\${node}" --overwrite ${labels.join(" ")}` : "# The plan gives this node no platform labels."}
# Read once into a variable: a failing kubectl inside a for-list would go unnoticed under set -e.
current="$(kubectl get node "\${node}" -o json)"
keep=" ${keep.join(" ")} "
for key in $(jq -r '.metadata.labels | keys[] | select(startswith("${OWNED_LABEL_PREFIX}"))' <<<"\${current}"); do
  if [[ "\${keep}" != *" \${key} "* ]]; then
    kubectl label node "\${node}" "\${key}-"
  fi
done

wanted=" ${wanted.join(" ")} "
for taint in $(jq -r '(.spec.taints // [])[] | "\\(.key)\\(if .value then "=" + .value else "" end):\\(.effect)"' <<<"\${current}"); do
  key="\${taint%%[=:]*}"
  case "\${key}" in
    ${OWNED_TAINT_KEYS.join("|")})
      if [[ "\${wanted}" != *" \${taint} "* ]]; then
        kubectl taint node "\${node}" "\${key}:\${taint##*:}-"
      fi
      ;;
  esac
done
${wanted.map((t) => `kubectl taint node "\${node}" --overwrite ${t}`).join("\n") || "# The plan gives this node no taints."}
echo "\${node}: labels and taints match the plan"
`;
}

/**
 * Waits until `expected` nodes of a pool (`platform/pool=<pool>`) report Ready, or fails at the deadline with
 * the pool's nodes listed. (`kubectl wait -l` alone would fail at once while the pool's nodes have not
 * registered yet, and succeed as soon as one of them is Ready.)
 */
export function renderPoolReadyScript(pool: string, expected: number, waits: NodeWaits = NODE_WAITS): string {
    const selector = safe(`${OWNED_LABEL_PREFIX}pool=${pool}`, "pool selector");
    return `#!/usr/bin/env bash
# Wait for the ${expected} node(s) of pool ${pool} to be Ready: rendered by components/cluster/node-pool-scripts.ts.
set -euo pipefail
kubectl() { k3s kubectl "$@"; }

deadline=$((SECONDS + ${waits.readySeconds}))
while true; do
  ready="$(kubectl get nodes -l ${selector} -o json 2>/dev/null | jq '[.items[] | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length' || echo 0)"
  if [ "\${ready}" -ge ${expected} ]; then
    echo "pool ${pool}: \${ready}/${expected} nodes Ready"
    exit 0
  fi
  if [ "\${SECONDS}" -ge "\${deadline}" ]; then
    echo "pool ${pool}: only \${ready} of ${expected} nodes Ready within ${waits.readySeconds}s:" >&2
    kubectl get nodes -l ${selector} -o wide >&2 || true
    exit 1
  fi
  sleep ${waits.pollSeconds}
done
`;
}
