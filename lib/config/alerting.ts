import { z } from "zod";

/**
 * Where alerts go (`platform:alerting`): named receivers (e-mail, webhook, Slack-compatible incoming
 * webhook), which of them get critical and warning alerts, the dead man's switch and whether tenant alerts
 * are mailed to each project's owner. URLs and the SMTP password are secrets: `platform:alertingSecrets`
 * (`{"smtpPassword": "…", "urls": {"<receiver>": "https://…"}}`), never this block.
 */

const receiverName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/, { error: "must be a lowercase DNS label of at most 40 characters" });

/** One receiver: exactly one of email, webhook, slack. */
export const alertReceiverSchema = z
    .strictObject({
        name: receiverName,
        /** Addresses the alert mail goes to (needs `smtp`). */
        email: z.array(z.email()).min(1).optional(),
        /** A generic webhook (Alertmanager's webhook_config); its URL is `urls.<name>` in platform:alertingSecrets. */
        webhook: z.strictObject({}).optional(),
        /** A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat); URL in platform:alertingSecrets. */
        slack: z.strictObject({ channel: z.string().regex(/^#?[a-z0-9._-]{1,80}$/) }).optional(),
    })
    .superRefine((receiver, ctx) => {
        const kinds = ["email", "webhook", "slack"].filter((k) => receiver[k as "email"] !== undefined);
        if (kinds.length !== 1) {
            ctx.addIssue({ code: "custom", path: [], message: `receiver "${receiver.name}" must set exactly one of email, webhook, slack (has ${kinds.length === 0 ? "none" : kinds.join(", ")})` });
        }
    });

/** The `platform:alerting` block. */
export const alertingSchema = z
    .strictObject({
        /** Outgoing mail for e-mail receivers and tenant contacts. */
        smtp: z
            .strictObject({
                /** `host:port` of the relay (submission port 587 with STARTTLS, typically). */
                smarthost: z.string().regex(/^[a-z0-9.-]+:\d{1,5}$/, { error: "must be host:port, like smtp.example.com:587" }),
                from: z.email(),
                /** SMTP user; its password is `smtpPassword` in platform:alertingSecrets. */
                username: z.string().min(1).optional(),
                requireTls: z.boolean().default(true),
            })
            .optional(),
        receivers: z.array(alertReceiverSchema).default([]),
        /** Receivers of critical alerts (node down, etcd, storage, certificates, backups). */
        critical: z.array(receiverName).default([]),
        /** Receivers of warning alerts. */
        warning: z.array(receiverName).default([]),
        /**
         * A webhook receiver that gets the always-firing `Watchdog` alert every minute: the external service
         * behind it (healthchecks.io, Dead Man's Snitch, …) pages when the heartbeats stop, i.e. when
         * Prometheus, Alertmanager or the path out of the cluster is down.
         */
        deadMansSwitch: receiverName.optional(),
        /** Mail each project's alerts (quota, budget, certificates of its hosts) to the owner in its tenant file. */
        tenantContacts: z.boolean().default(true),
    })
    .superRefine((alerting, ctx) => {
        const names = new Map<string, (typeof alerting.receivers)[number]>();
        alerting.receivers.forEach((receiver, index) => {
            if (names.has(receiver.name)) {
                ctx.addIssue({ code: "custom", path: ["receivers", index, "name"], message: `receiver "${receiver.name}" is declared twice` });
            }
            names.set(receiver.name, receiver);
            if (receiver.email && !alerting.smtp) {
                ctx.addIssue({ code: "custom", path: ["receivers", index, "email"], message: `receiver "${receiver.name}" sends e-mail but platform:alerting.smtp is not set` });
            }
        });
        for (const key of ["critical", "warning"] as const) {
            alerting[key].forEach((name, index) => {
                if (!names.has(name)) {
                    ctx.addIssue({ code: "custom", path: [key, index], message: `receiver "${name}" is not declared in platform:alerting.receivers` });
                }
            });
        }
        if (alerting.deadMansSwitch !== undefined) {
            const receiver = names.get(alerting.deadMansSwitch);
            if (!receiver) {
                ctx.addIssue({ code: "custom", path: ["deadMansSwitch"], message: `receiver "${alerting.deadMansSwitch}" is not declared in platform:alerting.receivers` });
            } else if (!receiver.webhook) {
                ctx.addIssue({ code: "custom", path: ["deadMansSwitch"], message: `the dead man's switch must be a webhook receiver (a heartbeat URL), "${receiver.name}" is not` });
            }
        }
    });

/** Validated `platform:alerting`. */
export type AlertingConfig = z.infer<typeof alertingSchema>;

/** Receivers whose URL must be in platform:alertingSecrets. */
export function receiversNeedingUrls(alerting: AlertingConfig): string[] {
    return alerting.receivers.filter((r) => r.webhook !== undefined || r.slack !== undefined).map((r) => r.name);
}

/** The decoded `platform:alertingSecrets`. */
export interface AlertingSecretValues {
    /** SMTP password (when smtp.username is set). */
    smtpPassword?: string;
    /** URL per webhook/Slack receiver. */
    urls: Record<string, string>;
}

/** Problems of a decoded platform:alertingSecrets value against the alerting config (empty when it fits). */
export function alertingSecretProblems(alerting: AlertingConfig, value: unknown): string[] {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return ['must be JSON: {"smtpPassword": "…", "urls": {"<receiver>": "https://…"}}'];
    }
    const record = value as Record<string, unknown>;
    const problems: string[] = [];
    const urls = (record.urls ?? {}) as Record<string, unknown>;
    if (typeof urls !== "object" || urls === null || Array.isArray(urls)) {
        return ["urls must be an object of receiver name → URL"];
    }
    for (const name of receiversNeedingUrls(alerting)) {
        const url = urls[name];
        if (typeof url !== "string" || !/^https:\/\/[^\s/]+/.test(url)) {
            problems.push(`urls.${name} must be the https URL of receiver "${name}"`);
        }
    }
    if (alerting.smtp?.username !== undefined && (typeof record.smtpPassword !== "string" || record.smtpPassword === "")) {
        problems.push("smtpPassword is required because platform:alerting.smtp.username is set");
    }
    return problems;
}
