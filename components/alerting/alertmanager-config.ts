import type { AlertingConfig, AlertingSecretValues } from "../../lib/config/alerting";

/**
 * The Alertmanager configuration file (`alertmanager.yaml`) as a pure function of the stack's alerting block,
 * its secret values and the tenant contacts. Routing, first match wins unless `continue`:
 *
 * 1. `Watchdog` (kube-prometheus-stack's always-firing alert) → the dead man's switch every minute, or nowhere.
 * 2. `InfoInhibitor` → nowhere (it only silences info alerts).
 * 3. `project="<name>"` → that project's owner (continue: the platform sees them too).
 * 4. `severity="critical"` → the critical receivers; `severity="warning"` → the warning receivers.
 * 5. anything else → nowhere (`null`): info alerts stay in the UI.
 *
 * The inhibit rules are kube-prometheus-stack's defaults (critical silences warning/info of the same alert and
 * namespace). The result holds the SMTP password and webhook URLs: it is only ever stored as a Secret.
 */

/** Name of the Secret holding `alertmanager.yaml` (the monitoring chart's `alertmanagerSpec.configSecret`). */
export const ALERTMANAGER_CONFIG_SECRET = "platform-alertmanager";

/** A project whose alerts are mailed to its owner. */
export interface TenantContact {
    /** Project name (the `project` label of its alerts). */
    project: string;
    /** Owner e-mail from the tenant file. */
    email: string;
}

/** Inputs of the renderer. */
export interface AlertmanagerConfigArgs {
    /** Validated `platform:alerting`. */
    alerting: AlertingConfig;
    /** Decoded `platform:alertingSecrets`. */
    secrets: AlertingSecretValues;
    /** Tenant contacts (used when `alerting.tenantContacts`). */
    tenants: readonly TenantContact[];
}

/** Receiver that drops alerts. */
export const NULL_RECEIVER = "null";
/** Combined receivers of the severity routes. */
export const SEVERITY_RECEIVERS = { critical: "platform-critical", warning: "platform-warning" } as const;
/** Receiver of the heartbeat. */
export const DEAD_MANS_SWITCH_RECEIVER = "dead-mans-switch";
/** Receiver name of a project's owner. */
export const projectReceiver = (project: string): string => `project-${project}`;

type Receiver = Record<string, unknown> & { name: string };

/** The receiver configs of one declared receiver (email_configs, webhook_configs or slack_configs). */
function configsOf(name: string, args: AlertmanagerConfigArgs): Record<string, unknown[]> {
    const receiver = args.alerting.receivers.find((r) => r.name === name);
    if (!receiver) {
        throw new Error(`alert receiver ${name} is not declared (validated config guarantees it)`);
    }
    const url = (): string => {
        const value = args.secrets.urls[name];
        if (!value) {
            throw new Error(`platform:alertingSecrets has no urls.${name}: set it with pulumi config set --secret platform:alertingSecrets`);
        }
        return value;
    };
    if (receiver.email) {
        return { email_configs: receiver.email.map((to) => ({ to, send_resolved: true })) };
    }
    if (receiver.slack) {
        const channel = receiver.slack.channel.startsWith("#") ? receiver.slack.channel : `#${receiver.slack.channel}`;
        return { slack_configs: [{ api_url: url(), channel, send_resolved: true, title: '{{ template "slack.default.title" . }}', text: '{{ template "slack.default.text" . }}' }] };
    }
    return { webhook_configs: [{ url: url(), send_resolved: true }] };
}

/** One receiver merging the configs of several declared ones (Alertmanager routes name a single receiver). */
function combined(name: string, members: readonly string[], args: AlertmanagerConfigArgs): Receiver {
    const merged: Record<string, unknown[]> = {};
    for (const member of members) {
        for (const [key, configs] of Object.entries(configsOf(member, args))) {
            merged[key] = [...(merged[key] ?? []), ...configs];
        }
    }
    return { name, ...merged };
}

/** The whole configuration file as an object (dump it as YAML). */
export function renderAlertmanagerConfig(args: AlertmanagerConfigArgs): Record<string, unknown> {
    const { alerting } = args;
    const receivers: Receiver[] = [{ name: NULL_RECEIVER }];
    const routes: Array<Record<string, unknown>> = [];

    if (alerting.deadMansSwitch) {
        receivers.push(combined(DEAD_MANS_SWITCH_RECEIVER, [alerting.deadMansSwitch], args));
        // Every minute, resolved never: the external service expects a steady heartbeat.
        routes.push({ receiver: DEAD_MANS_SWITCH_RECEIVER, matchers: ['alertname="Watchdog"'], group_wait: "0s", group_interval: "1m", repeat_interval: "1m" });
    } else {
        routes.push({ receiver: NULL_RECEIVER, matchers: ['alertname="Watchdog"'] });
    }
    routes.push({ receiver: NULL_RECEIVER, matchers: ['alertname="InfoInhibitor"'] });

    if (alerting.tenantContacts && alerting.smtp) {
        for (const tenant of [...args.tenants].sort((a, b) => a.project.localeCompare(b.project))) {
            receivers.push({ name: projectReceiver(tenant.project), email_configs: [{ to: tenant.email, send_resolved: true }] });
            routes.push({ receiver: projectReceiver(tenant.project), matchers: [`project="${tenant.project}"`], continue: true });
        }
    }
    for (const severity of ["critical", "warning"] as const) {
        if (alerting[severity].length > 0) {
            receivers.push(combined(SEVERITY_RECEIVERS[severity], alerting[severity], args));
            routes.push({ receiver: SEVERITY_RECEIVERS[severity], matchers: [`severity="${severity}"`] });
        }
    }

    const global: Record<string, unknown> = { resolve_timeout: "5m" };
    if (alerting.smtp) {
        global.smtp_smarthost = alerting.smtp.smarthost;
        global.smtp_from = alerting.smtp.from;
        global.smtp_require_tls = alerting.smtp.requireTls;
        if (alerting.smtp.username !== undefined) {
            global.smtp_auth_username = alerting.smtp.username;
            global.smtp_auth_password = args.secrets.smtpPassword ?? "";
        }
    }
    return {
        global,
        route: {
            receiver: NULL_RECEIVER,
            group_by: ["alertname", "namespace", "project"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "12h",
            routes,
        },
        inhibit_rules: [
            { source_matchers: ["severity = critical"], target_matchers: ["severity =~ warning|info"], equal: ["namespace", "alertname"] },
            { source_matchers: ["severity = warning"], target_matchers: ["severity = info"], equal: ["namespace", "alertname"] },
            { source_matchers: ["alertname = InfoInhibitor"], target_matchers: ["severity = info"], equal: ["namespace"] },
            { target_matchers: ["alertname = InfoInhibitor"] },
        ],
        receivers,
    };
}
