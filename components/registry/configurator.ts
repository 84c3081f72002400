import * as crypto from "node:crypto";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import { FLOATING_IP_FAILOVER_IMAGE } from "../../charts/images";
import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS, NAMESPACES, PLATFORM_REGISTRY } from "../../lib/conventions";
import { registryProject } from "../../lib/registry";
import { HARBOR_SECRETS } from "./values";

/**
 * The registry's desired state (one private Harbor project per tenant project, its two robot accounts, tag
 * retention, scan on push, the garbage-collection schedule) and the Job that applies it through Harbor's REST
 * API (v2.0). Harbor keeps projects and robots in its database, not in Kubernetes objects, so a Job re-run on
 * every change of the state is the declarative path; it only creates and updates, never deletes (a project
 * removed from the catalog keeps its images until an operator deletes its Harbor project).
 */

/** One robot account's permissions (Harbor `RobotPermission`: kind, namespace, access). */
export interface RobotPermission {
    kind: "project";
    namespace: string;
    access: Array<{ resource: "repository"; action: "pull" | "push" }>;
}

/** The robots of one project: pull for its pods, push (and pull, for the build's existence check) for its builds. */
export function robotPermissions(projectId: string): Record<"pull" | "push", RobotPermission[]> {
    const namespace = registryProject(projectId);
    return {
        pull: [{ kind: "project", namespace, access: [{ resource: "repository", action: "pull" }] }],
        push: [{ kind: "project", namespace, access: [{ resource: "repository", action: "pull" }, { resource: "repository", action: "push" }] }],
    };
}

/** What the configurator applies. */
export interface RegistryState {
    projects: Array<{ name: string; robots: Array<{ name: string; permissions: RobotPermission[]; secretFile: string }> }>;
    retention: { keepLatest: number; keepPulledDays: number };
    gcSchedule: string;
}

/** Where the configurator pod finds its inputs. */
export const CONFIGURATOR_PATHS = { state: "/config/registry.json", admin: "/admin", robots: "/robots" } as const;

/** Secret holding every robot's secret (key `<project>-<robot>`), read only by the configurator. */
export const ROBOT_SECRETS = "harbor-robot-secrets";

/** Key of a robot's secret in {@link ROBOT_SECRETS}. */
export const robotSecretKey = (projectId: string, robot: string) => `${projectId}-${robot}`;

/** The registry's desired state for a catalog. */
export function registryState(config: PlatformConfig, projectIds: readonly string[]): RegistryState {
    return {
        projects: [...projectIds].sort().map((id) => ({
            name: registryProject(id),
            robots: ([PLATFORM_REGISTRY.pullRobot, PLATFORM_REGISTRY.pushRobot] as const).map((robot) => ({
                name: robot,
                permissions: robotPermissions(id)[robot],
                secretFile: `${CONFIGURATOR_PATHS.robots}/${robotSecretKey(id, robot)}`,
            })),
        })),
        retention: { keepLatest: config.addons.registry.keepLatest, keepPulledDays: config.addons.registry.keepPulledDays },
        gcSchedule: config.addons.registry.gcSchedule,
    };
}

/** Harbor's API inside the cluster. */
const API = `http://${PLATFORM_REGISTRY.service}.${NAMESPACES.registry}.svc.cluster.local/api/v2.0`;

/**
 * The configurator script: waits for Harbor, then per project creates it (private, scan on push) if missing,
 * sets its retention policy, creates or updates its robots with the permissions and secrets of the state, and
 * finally sets the GC schedule. Idempotent: a second run changes nothing.
 */
export function renderConfiguratorScript(): string {
    return `#!/usr/bin/env bash
# Applies ${CONFIGURATOR_PATHS.state} to Harbor: rendered by components/registry/configurator.ts.
set -euo pipefail
api="${API}"
auth="admin:$(cat ${CONFIGURATOR_PATHS.admin}/${HARBOR_SECRETS.admin.key})"
state="${CONFIGURATOR_PATHS.state}"

call() {
  local method="$1" path="$2" body="\${3:-}"
  if [ -n "$body" ]; then
    curl -sS --fail-with-body -u "$auth" -X "$method" -H 'Content-Type: application/json' -H 'X-Is-Resource-Name: true' --data "$body" "$api$path"
  else
    curl -sS --fail-with-body -u "$auth" -X "$method" -H 'X-Is-Resource-Name: true' "$api$path"
  fi
}

for attempt in $(seq 1 60); do
  if curl -sf "$api/health" >/dev/null; then break; fi
  echo "waiting for Harbor ($attempt/60)"
  sleep 10
done

keep_latest="$(jq -r .retention.keepLatest "$state")"
keep_days="$(jq -r .retention.keepPulledDays "$state")"

jq -c '.projects[]' "$state" | while read -r project; do
  name="$(jq -r .name <<<"$project")"
  if ! call GET "/projects/$name" >/dev/null 2>&1; then
    call POST /projects "$(jq -nc --arg n "$name" '{project_name: $n, public: false, metadata: {public: "false", auto_scan: "true"}}')" >/dev/null
    echo "created project $name"
  fi
  info="$(call GET "/projects/$name")"
  id="$(jq -r .project_id <<<"$info")"
  retention="$(jq -nc --argjson id "$id" --argjson k "$keep_latest" --argjson d "$keep_days" '{
    algorithm: "or",
    rules: [
      {action: "retain", template: "latestPushedK", params: {latestPushedK: $k},
       tag_selectors: [{kind: "doublestar", decoration: "matches", pattern: "**"}],
       scope_selectors: {repository: [{kind: "doublestar", decoration: "repoMatches", pattern: "**"}]}},
      {action: "retain", template: "nDaysSinceLastPull", params: {nDaysSinceLastPull: $d},
       tag_selectors: [{kind: "doublestar", decoration: "matches", pattern: "**"}],
       scope_selectors: {repository: [{kind: "doublestar", decoration: "repoMatches", pattern: "**"}]}}
    ],
    trigger: {kind: "Schedule", settings: {cron: "0 0 2 * * *"}},
    scope: {level: "project", ref: $id}}')"
  retention_id="$(jq -r '.metadata.retention_id // empty' <<<"$info")"
  if [ -n "$retention_id" ]; then
    call PUT "/retentions/$retention_id" "$retention" >/dev/null
  else
    call POST /retentions "$retention" >/dev/null
  fi
  robots="$(call GET "/robots?q=Level%3Dproject%2CProjectID%3D$id&page_size=100")"
  jq -c '.robots[]' <<<"$project" | while read -r robot; do
    short="$(jq -r .name <<<"$robot")"
    full="robot\\$$name+$short"
    secret="$(cat "$(jq -r .secretFile <<<"$robot")")"
    permissions="$(jq -c .permissions <<<"$robot")"
    robot_id="$(jq -r --arg full "$full" '.[] | select(.name == $full) | .id' <<<"$robots")"
    if [ -z "$robot_id" ]; then
      robot_id="$(call POST /robots "$(jq -nc --arg n "$short" --argjson p "$permissions" '{name: $n, level: "project", duration: -1, disable: false, permissions: $p}')" | jq -r .id)"
      echo "created robot $full"
    else
      call PUT "/robots/$robot_id" "$(jq -nc --arg n "$full" --argjson id "$robot_id" --argjson p "$permissions" '{id: $id, name: $n, level: "project", duration: -1, disable: false, permissions: $p}')" >/dev/null
    fi
    # The platform's secret, not Harbor's generated one: the pull and push Secrets already carry it.
    call PATCH "/robots/$robot_id" "$(jq -nc --arg s "$secret" '{secret: $s}')" >/dev/null
  done
done

gc="$(jq -nc --arg cron "$(jq -r .gcSchedule "$state")" '{schedule: {type: "Custom", cron: $cron}, parameters: {delete_untagged: true, workers: 1}}')"
call PUT /system/gc/schedule "$gc" >/dev/null || call POST /system/gc/schedule "$gc" >/dev/null
echo "registry state applied"
`;
}

/** The ConfigMap of the desired state and the script. */
export function renderConfiguratorConfigMap(state: RegistryState): IConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "harbor-configurator", namespace: NAMESPACES.registry, labels: { [LABELS.managedBy]: "pulumi" } },
        data: { "registry.json": `${JSON.stringify(state, null, 2)}\n`, "configure.sh": renderConfiguratorScript() },
    };
}

/** uid of the configurator (nobody): curl and jq need no privileges. */
const NOBODY = 65534;

/**
 * The configurator Job, named after a hash of the state and script: a changed catalog or setting is a new Job
 * (the old one is replaced), an unchanged one is left alone.
 */
export function renderConfiguratorJob(state: RegistryState): IJob {
    const hash = crypto.createHash("sha256").update(JSON.stringify(state)).update(renderConfiguratorScript()).digest("hex").slice(0, 10);
    const labels = { [LABELS.managedBy]: "pulumi", "app.kubernetes.io/name": "harbor-configurator" };
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: `harbor-configurator-${hash}`, namespace: NAMESPACES.registry, labels },
        spec: {
            backoffLimit: 3,
            activeDeadlineSeconds: 1800,
            template: {
                metadata: { labels },
                spec: {
                    restartPolicy: "Never",
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    securityContext: { runAsNonRoot: true, runAsUser: NOBODY, runAsGroup: NOBODY, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: "configure",
                            image: FLOATING_IP_FAILOVER_IMAGE,
                            command: ["bash", "/config/configure.sh"],
                            securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: NOBODY, capabilities: { drop: ["ALL"] } },
                            resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                            volumeMounts: [
                                { name: "config", mountPath: "/config", readOnly: true },
                                { name: "admin", mountPath: CONFIGURATOR_PATHS.admin, readOnly: true },
                                { name: "robots", mountPath: CONFIGURATOR_PATHS.robots, readOnly: true },
                            ],
                        },
                    ],
                    volumes: [
                        { name: "config", configMap: { name: "harbor-configurator" } },
                        { name: "admin", secret: { secretName: HARBOR_SECRETS.admin.name } },
                        { name: "robots", secret: { secretName: ROBOT_SECRETS } },
                    ],
                },
            },
        },
    };
}
