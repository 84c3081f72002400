import * as crypto from "node:crypto";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import { FLOATING_IP_FAILOVER_IMAGE } from "../../charts/images";
import { renderPlatformJob } from "../../lib/platform-job";
import { renderServiceWait, SERVICE_GONE_EXIT } from "../../lib/service-wait";
import { RELEASE_TIMEOUT_SECONDS } from "../../charts/versions";
import { WAITS_FOR_SERVICES_ANNOTATION } from "../../lib/requirements";
import { LABELS, LOKI_TENANT_HEADER, lokiTenantOf, NAMESPACES } from "../../lib/conventions";
import { GRAFANA_ADMIN_SECRET, GRAFANA_SERVICE, LOKI_URL } from "./values";

/**
 * The per-project Grafana view a tenant contact gets without admin rights: one Grafana organisation per project,
 * holding one Loki datasource pinned to the project's Loki tenant, and the project's contact (the tenant file's
 * `owner`) as a Viewer of that organisation and of no other (not of the main organisation, whose datasources read
 * every tenant and all metrics). Grafana's file provisioning creates neither organisations nor users (only
 * datasources, dashboards and alerting of existing ones), so a Job applies this state through Grafana's HTTP API
 * as the server admin, like the registry's configurator: create or update, never delete.
 *
 * Why it isolates: a Viewer can send any LogQL through its organisation's datasource (`/api/ds/query`), but
 * Grafana sets the datasource's configured headers on every request to Loki and a Viewer can neither edit a
 * datasource nor read its `secureJsonData`, nor act in an organisation it is not a member of. Loki answers only
 * the tenant of the header. Metrics stay admin-only: Prometheus has no tenancy, and a label-enforcing proxy in
 * front of it is not deployed (so no tenant organisation gets a Prometheus datasource).
 */

/** Grafana's API inside the cluster (the kube-prometheus-stack Grafana Service, port 80). */
export const GRAFANA_API = `http://${GRAFANA_SERVICE}.${NAMESPACES.monitoring}.svc.cluster.local/api`;

/** Where the Job's pod finds its inputs. */
export const GRAFANA_ORGS_PATHS = { state: "/config/orgs.json", admin: "/admin", viewers: "/viewers" } as const;

/** Secret in the monitoring namespace holding each contact's generated Grafana password (key {@link viewerSecretKey}). */
export const GRAFANA_VIEWER_SECRETS = "grafana-project-viewers";

/** A project as the Grafana view needs it. */
export interface ProjectView {
    /** Project id (also its namespace and Loki tenant). */
    id: string;
    /** The tenant file's `owner`: the contact who gets the view. */
    contact: { name: string; email: string };
}

/** One organisation of the state. */
export interface OrgState {
    /** Organisation name: the project id. */
    name: string;
    /** The one datasource of the organisation. */
    datasource: { uid: string; name: string; type: "loki"; url: string; access: "proxy"; jsonData: Record<string, unknown>; tenant: string };
}

/** One Grafana user of the state: a contact, Viewer of exactly `orgs`. */
export interface ViewerState {
    login: string;
    email: string;
    name: string;
    /** Organisations (names) the user views; a contact of several projects views each of them. */
    orgs: string[];
    /** File of its password (a key of {@link GRAFANA_VIEWER_SECRETS}). */
    passwordFile: string;
}

/** What the Job applies. */
export interface GrafanaOrgsState {
    orgs: OrgState[];
    viewers: ViewerState[];
}

/** Key of a contact's password in {@link GRAFANA_VIEWER_SECRETS} (e-mail addresses are not valid Secret keys). */
export function viewerSecretKey(email: string): string {
    return `viewer-${crypto.createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 16)}`;
}

/** Uid of the Loki datasource in every project organisation. */
export const PROJECT_LOKI_UID = "loki";

/** The state for a catalog: one organisation per project, one Viewer per contact (by e-mail, case-insensitive). */
export function grafanaOrgsState(projects: readonly ProjectView[]): GrafanaOrgsState {
    const sorted = [...projects].sort((a, b) => a.id.localeCompare(b.id));
    const orgs: OrgState[] = sorted.map((p) => ({
        name: p.id,
        datasource: {
            uid: PROJECT_LOKI_UID,
            name: `Loki (${p.id})`,
            type: "loki",
            url: LOKI_URL,
            access: "proxy",
            jsonData: { maxLines: 1000, httpHeaderName1: LOKI_TENANT_HEADER },
            tenant: lokiTenantOf(p.id),
        },
    }));
    const byEmail = new Map<string, ViewerState>();
    for (const p of sorted) {
        const email = p.contact.email.toLowerCase();
        const viewer = byEmail.get(email) ?? { login: email, email, name: p.contact.name, orgs: [], passwordFile: `${GRAFANA_ORGS_PATHS.viewers}/${viewerSecretKey(email)}` };
        viewer.orgs.push(p.id);
        byEmail.set(email, viewer);
    }
    return { orgs, viewers: [...byEmail.values()].sort((a, b) => a.login.localeCompare(b.login)) };
}

/**
 * The Job's script: waits for Grafana, creates each organisation if missing (the admin who creates it is its
 * Admin), creates or updates its Loki datasource with the tenant header (acting in it through
 * `X-Grafana-Org-Id`), creates each contact if missing and sets its password, makes it a Viewer of its
 * organisations and removes it from every other one (the main organisation, where Grafana's `auto_assign_org`
 * puts new users), and keeps it from being a server admin. `GRAFANA_API` and the state path may be overridden
 * (tests run the script against a local fake). Idempotent: a second run changes nothing.
 */
export function renderGrafanaOrgsScript(): string {
    return `#!/usr/bin/env bash
# Applies the per-project Grafana organisations: rendered by components/observability/grafana-orgs.ts.
set -euo pipefail
api="\${GRAFANA_API:-${GRAFANA_API}}"
state="\${GRAFANA_ORGS_STATE:-${GRAFANA_ORGS_PATHS.state}}"
admin_dir="\${GRAFANA_ADMIN_DIR:-${GRAFANA_ORGS_PATHS.admin}}"
admin_user="$(cat "$admin_dir/${GRAFANA_ADMIN_SECRET.userKey}")"
auth="$admin_user:$(cat "$admin_dir/${GRAFANA_ADMIN_SECRET.passwordKey}")"

call() {
  local method="$1" path="$2" org="\${3:-}" body="\${4:-}"
  local args=(-sS --fail-with-body -u "$auth" -X "$method" -H 'Content-Type: application/json')
  if [ -n "$org" ]; then args+=(-H "X-Grafana-Org-Id: $org"); fi
  if [ -n "$body" ]; then args+=(--data "$body"); fi
  curl "\${args[@]}" "$api$path"
}
# Succeeds when the object exists (HTTP 200), fails quietly on 404.
exists() {
  local path="$1" org="\${2:-}"
  local args=(-s -o /dev/null -w '%{http_code}' -u "$auth")
  if [ -n "$org" ]; then args+=(-H "X-Grafana-Org-Id: $org"); fi
  [ "$(curl "\${args[@]}" "$api$path")" = 200 ]
}
urlencode() { jq -rn --arg v "$1" '$v|@uri'; }

${renderServiceWait({ service: "Grafana", release: "the monitoring release", apiVariable: "api", pollVariable: "GRAFANA_ORGS_POLL_SECONDS", pollSeconds: GRAFANA_ORGS_POLL_SECONDS })}
declare -A org_ids
while read -r org; do
  name="$(jq -r .name <<<"$org")"
  if exists "/orgs/name/$(urlencode "$name")"; then
    id="$(call GET "/orgs/name/$(urlencode "$name")" | jq -r .id)"
  else
    id="$(call POST /orgs "" "$(jq -nc --arg n "$name" '{name: $n}')" | jq -r .orgId)"
    echo "created organisation $name ($id)"
  fi
  org_ids["$name"]="$id"
  datasource="$(jq -c '.datasource | {uid, name, type, url, access, jsonData, secureJsonData: {httpHeaderValue1: .tenant}}' <<<"$org")"
  uid="$(jq -r .datasource.uid <<<"$org")"
  if exists "/datasources/uid/$uid" "$id"; then
    call PUT "/datasources/uid/$uid" "$id" "$datasource" >/dev/null
  else
    call POST /datasources "$id" "$datasource" >/dev/null
    echo "created datasource $uid in organisation $name"
  fi
done < <(jq -c '.orgs[]' "$state")

while read -r viewer; do
  login="$(jq -r .login <<<"$viewer")"
  password="$(cat "$(jq -r .passwordFile <<<"$viewer")")"
  first_org="\${org_ids[$(jq -r '.orgs[0]' <<<"$viewer")]}"
  if exists "/users/lookup?loginOrEmail=$(urlencode "$login")"; then
    user_id="$(call GET "/users/lookup?loginOrEmail=$(urlencode "$login")" | jq -r .id)"
  else
    user_id="$(call POST /admin/users "" "$(jq -c --arg p "$password" --argjson o "$first_org" '{name, email, login, password: $p, OrgId: $o}' <<<"$viewer")" | jq -r .id)"
    echo "created user $login"
  fi
  # The platform's password (the Secret carries it), and never a server admin.
  call PUT "/admin/users/$user_id/password" "" "$(jq -nc --arg p "$password" '{password: $p}')" >/dev/null
  call PUT "/admin/users/$user_id/permissions" "" '{"isGrafanaAdmin": false}' >/dev/null
  wanted=()
  while read -r org_name; do
    org_id="\${org_ids[$org_name]}"
    wanted+=("$org_id")
    if call GET "/orgs/$org_id/users" | jq -e --argjson u "$user_id" 'any(.[]; .userId == $u)' >/dev/null; then
      call PATCH "/orgs/$org_id/users/$user_id" "" '{"role": "Viewer"}' >/dev/null
    else
      call POST "/orgs/$org_id/users" "" "$(jq -nc --arg l "$login" '{loginOrEmail: $l, role: "Viewer"}')" >/dev/null
    fi
  done < <(jq -r '.orgs[]' <<<"$viewer")
  while read -r member_of; do
    if [[ " \${wanted[*]} " != *" $member_of "* ]]; then
      call DELETE "/orgs/$member_of/users/$user_id" >/dev/null
      echo "removed $login from organisation $member_of"
    fi
  done < <(call GET "/users/$user_id/orgs" | jq -r '.[].orgId')
done < <(jq -c '.viewers[]' "$state")
echo "grafana organisations applied"
`;
}

/** Name of the ConfigMap with the state and the script. */
export const GRAFANA_ORGS_CONFIGMAP = "grafana-project-orgs";

/** The ConfigMap of the state and the script. */
export function renderGrafanaOrgsConfigMap(state: GrafanaOrgsState): IConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: GRAFANA_ORGS_CONFIGMAP, namespace: NAMESPACES.monitoring, labels: { [LABELS.managedBy]: "pulumi" } },
        data: { "orgs.json": `${JSON.stringify(state, null, 2)}\n`, "configure.sh": renderGrafanaOrgsScript() },
    };
}

/** Seconds between two probes of Grafana's health while the Job waits for it (the `service-poll` figure's interval). */
export const GRAFANA_ORGS_POLL_SECONDS = 10;

/**
 * Seconds the Job may run: it is created beside the monitoring release and waits for Grafana itself, so the
 * deadline covers that release's Helm timeout plus ten minutes for its own calls (like the registry's configurator).
 * A failed release ends the Job sooner ({@link SERVICE_GONE_EXIT}); the deadline bounds only a Grafana whose
 * Service stays but never answers (an upgrade rolled back to a broken revision).
 */
export const GRAFANA_ORGS_DEADLINE_SECONDS = RELEASE_TIMEOUT_SECONDS.kubePrometheusStack + 600;

/** Pulumi's wait for the Job (its default for a Job is 10 minutes): the deadline plus five minutes. */
export const GRAFANA_ORGS_TIMEOUT = `${GRAFANA_ORGS_DEADLINE_SECONDS / 60 + 5}m`;

const NOBODY = 65534;

/**
 * The Job, named after a hash of the state, the script and a digest of the passwords (so a changed catalog or a
 * replaced password re-runs it; an unchanged one is left alone).
 */
export function renderGrafanaOrgsJob(state: GrafanaOrgsState, passwordsDigest: string): IJob {
    const hash = crypto.createHash("sha256").update(JSON.stringify(state)).update(renderGrafanaOrgsScript()).update(passwordsDigest).digest("hex").slice(0, 10);
    const labels = { [LABELS.managedBy]: "pulumi", "app.kubernetes.io/name": "grafana-project-orgs" };
    return renderPlatformJob(
        // The script waits for Grafana itself: its Service is a readiness need of this Job, not a creation need.
        { name: `grafana-project-orgs-${hash}`, namespace: NAMESPACES.monitoring, labels, annotations: { [WAITS_FOR_SERVICES_ANNOTATION]: "true" } },
        {
            uid: NOBODY,
            labels,
            backoffLimit: 3,
            activeDeadlineSeconds: GRAFANA_ORGS_DEADLINE_SECONDS,
            failJobOnExitCodes: [SERVICE_GONE_EXIT],
            container: {
                name: "configure",
                image: FLOATING_IP_FAILOVER_IMAGE,
                command: ["bash", "/config/configure.sh"],
                // Names the Service the script waits for (lib/requirements.ts reads a pod's needs from its env).
                env: [{ name: "GRAFANA_API", value: GRAFANA_API }],
                resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                volumeMounts: [
                    { name: "config", mountPath: "/config", readOnly: true },
                    { name: "admin", mountPath: GRAFANA_ORGS_PATHS.admin, readOnly: true },
                    { name: "viewers", mountPath: GRAFANA_ORGS_PATHS.viewers, readOnly: true },
                ],
            },
            volumes: [
                { name: "config", configMap: { name: GRAFANA_ORGS_CONFIGMAP } },
                { name: "admin", secret: { secretName: GRAFANA_ADMIN_SECRET.name } },
                { name: "viewers", secret: { secretName: GRAFANA_VIEWER_SECRETS } },
            ],
        },
    );
}

/** Digest of the contacts' passwords (key → password) for the Job's name; a truncated SHA-256 reveals nothing. */
export function viewerPasswordsDigest(passwords: Readonly<Record<string, string>>): string {
    const hash = crypto.createHash("sha256").update("grafana project viewers\n");
    for (const key of Object.keys(passwords).sort()) {
        hash.update(`${key}=${passwords[key]}\n`);
    }
    return hash.digest("hex").slice(0, 16);
}
