import * as crypto from "node:crypto";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import { FLOATING_IP_FAILOVER_IMAGE } from "../../charts/images";
import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS, NAMESPACES, PLATFORM_REGISTRY } from "../../lib/conventions";
import { renderPlatformJob } from "../../lib/platform-job";
import { WAITS_FOR_SERVICES_ANNOTATION } from "../../lib/requirements";
import { renderServiceWait, SERVICE_GONE_EXIT } from "../../lib/service-wait";
import { RELEASE_TIMEOUT_SECONDS } from "../../charts/versions";
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

/** Harbor's API inside the cluster (the container's `HARBOR_API`, so the dependency model reads the Service from the Job). */
export const HARBOR_API = `http://${PLATFORM_REGISTRY.service}.${NAMESPACES.registry}.svc.cluster.local/api/v2.0`;

/** Seconds between two probes of Harbor's health while the configurator waits for it. */
export const CONFIGURATOR_POLL_SECONDS = 10;

/**
 * The configurator script: waits for Harbor (created beside its release, it probes Harbor's health until it
 * answers; the Job's deadline bounds the wait, and a release that failed and took Harbor's Service with it ends
 * the Job at once: lib/service-wait.ts), then per project creates it (private, scan on push) if missing,
 * sets its retention policy, creates or updates its robots with the permissions and secrets of the state, and
 * finally sets the GC schedule. Idempotent: a second run changes nothing.
 */
export function renderConfiguratorScript(): string {
    return `#!/usr/bin/env bash
# Applies ${CONFIGURATOR_PATHS.state} to Harbor: rendered by components/registry/configurator.ts.
set -euo pipefail
api="\${HARBOR_API}"
state="${CONFIGURATOR_PATHS.state}"

call() {
  local method="$1" path="$2" body="\${3:-}"
  if [ -n "$body" ]; then
    curl -sS --fail-with-body -u "$auth" -X "$method" -H 'Content-Type: application/json' -H 'X-Is-Resource-Name: true' --data "$body" "$api$path"
  else
    curl -sS --fail-with-body -u "$auth" -X "$method" -H 'X-Is-Resource-Name: true' "$api$path"
  fi
}

${renderServiceWait({ service: "Harbor", release: "Harbor's release", apiVariable: "api", pollVariable: "CONFIGURATOR_POLL_SECONDS", pollSeconds: CONFIGURATOR_POLL_SECONDS })}
# Read once Harbor answers: a Job whose release failed gives up before it needs the admin Secret.
auth="admin:$(cat ${CONFIGURATOR_PATHS.admin}/${HARBOR_SECRETS.admin.key})"

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

/**
 * Projects are applied in shards, each by a Job of its own: a change re-runs only the shard of the projects it
 * touches (one in {@link CONFIGURATOR_SHARDS} of the catalog), and the shards run in parallel. At 1,000 projects
 * a shard holds ~63 projects, ~570 API calls, well inside the Job's deadline; one Job for the whole catalog would
 * make ~9,000 calls on every catalog change.
 */
export const CONFIGURATOR_SHARDS = 16;

/**
 * Seconds a configurator Job may run: it is created beside Harbor's release and waits for Harbor in the cluster,
 * so the whole of Harbor's Helm timeout (Longhorn's included) plus ten minutes for its API calls. A failed release
 * ends the Job sooner ({@link SERVICE_GONE_EXIT}).
 */
export const CONFIGURATOR_DEADLINE_SECONDS = RELEASE_TIMEOUT_SECONDS.harbor + 600;

/**
 * Pulumi's wait for a configurator Job (its default for a Job is 10 minutes): the Job's deadline plus five
 * minutes for scheduling and the image pull.
 */
export const CONFIGURATOR_TIMEOUT = `${CONFIGURATOR_DEADLINE_SECONDS / 60 + 5}m`;

/** The shard of a project: stable per project id, independent of the rest of the catalog. */
export function configuratorShard(projectId: string): number {
    return crypto.createHash("sha256").update(projectId).digest().readUInt32BE(0) % CONFIGURATOR_SHARDS;
}

/** One shard's part of the state (every shard also applies the global settings: retention values, GC schedule). */
export interface ShardState {
    /** Shard number (0..CONFIGURATOR_SHARDS-1). */
    shard: number;
    /** The shard's projects with the global settings. */
    state: RegistryState;
}

/** The non-empty shards of a state; shard 0 alone (for the GC schedule) when the catalog has no project. */
export function shardStates(state: RegistryState): ShardState[] {
    const shards = new Map<number, RegistryState["projects"]>();
    for (const project of state.projects) {
        const shard = configuratorShard(project.name);
        shards.set(shard, [...(shards.get(shard) ?? []), project]);
    }
    if (shards.size === 0) {
        shards.set(0, []);
    }
    return [...shards.entries()].sort(([a], [b]) => a - b).map(([shard, projects]) => ({ shard, state: { ...state, projects } }));
}

/** Keys of {@link ROBOT_SECRETS} a shard's Job reads. */
export function shardRobotKeys(state: RegistryState): string[] {
    return state.projects.flatMap((p) => p.robots.map((r) => r.secretFile.slice(CONFIGURATOR_PATHS.robots.length + 1)));
}

/**
 * Digest of a shard's robot secrets (key → secret): part of the Job's name, so a replaced secret (a new
 * RandomPassword) re-runs the Job and reaches Harbor; otherwise the Secrets would carry a secret Harbor never got.
 * A truncated SHA-256 of 32-character random secrets reveals nothing of them.
 */
export function robotSecretsDigest(secrets: Readonly<Record<string, string>>): string {
    const hash = crypto.createHash("sha256").update("harbor-configurator robot secrets\n");
    for (const key of Object.keys(secrets).sort()) {
        hash.update(`${key}=${secrets[key]}\n`);
    }
    return hash.digest("hex").slice(0, 16);
}

const configMapName = (shard: number) => `harbor-configurator-${shard}`;

/** The ConfigMap of one shard's desired state and the script. */
export function renderConfiguratorConfigMap(shard: ShardState): IConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: configMapName(shard.shard), namespace: NAMESPACES.registry, labels: { [LABELS.managedBy]: "pulumi" } },
        data: { "registry.json": `${JSON.stringify(shard.state, null, 2)}\n`, "configure.sh": renderConfiguratorScript() },
    };
}

/** uid of the configurator (nobody): curl and jq need no privileges. */
const NOBODY = 65534;

/**
 * A shard's configurator Job, named after a hash of its state, the script and its robots' secrets
 * ({@link robotSecretsDigest}): a changed project, setting or secret is a new Job (the old one is replaced),
 * an unchanged shard is left alone.
 */
export function renderConfiguratorJob(shard: ShardState, secretsDigest: string): IJob {
    const hash = crypto.createHash("sha256").update(JSON.stringify(shard.state)).update(renderConfiguratorScript()).update(secretsDigest).digest("hex").slice(0, 10);
    const labels = { [LABELS.managedBy]: "pulumi", "app.kubernetes.io/name": "harbor-configurator" };
    // The script waits for Harbor itself: its Service is a readiness need of this Job, not a creation need.
    return renderPlatformJob(
        { name: `harbor-configurator-${shard.shard}-${hash}`, namespace: NAMESPACES.registry, labels, annotations: { [WAITS_FOR_SERVICES_ANNOTATION]: "true" } },
        {
            uid: NOBODY,
            labels,
            backoffLimit: 3,
            activeDeadlineSeconds: CONFIGURATOR_DEADLINE_SECONDS,
            failJobOnExitCodes: [SERVICE_GONE_EXIT],
            container: {
                name: "configure",
                image: FLOATING_IP_FAILOVER_IMAGE,
                command: ["bash", "/config/configure.sh"],
                env: [{ name: "HARBOR_API", value: HARBOR_API }],
                resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                volumeMounts: [
                    { name: "config", mountPath: "/config", readOnly: true },
                    { name: "admin", mountPath: CONFIGURATOR_PATHS.admin, readOnly: true },
                    { name: "robots", mountPath: CONFIGURATOR_PATHS.robots, readOnly: true },
                ],
            },
            volumes: [
                { name: "config", configMap: { name: configMapName(shard.shard) } },
                { name: "admin", secret: { secretName: HARBOR_SECRETS.admin.name } },
                // Only this shard's robots: a Secret volume without items would mount every project's.
                { name: "robots", secret: { secretName: ROBOT_SECRETS, items: shardRobotKeys(shard.state).map((key) => ({ key, path: key })) } },
            ],
        },
    );
}
