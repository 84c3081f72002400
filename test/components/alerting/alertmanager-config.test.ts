import { describe, expect, it } from "vitest";
import { alertingSchema } from "../../../lib/config/alerting";
import { renderAlertmanagerConfig } from "../../../components/alerting/alertmanager-config";
import { checkConfig, routeReceivers } from "../../helpers/amtool";
import { stackConfig } from "../../helpers/config";

const alerting = alertingSchema.parse({
    smtp: { smarthost: "smtp.example.com:587", from: "alerts@example.com", username: "alerts" },
    receivers: [
        { name: "oncall", email: ["oncall@example.com", "lead@example.com"] },
        { name: "chat", slack: { channel: "platform" } },
        { name: "hook", webhook: {} },
        { name: "heartbeat", webhook: {} },
    ],
    critical: ["oncall", "chat"],
    warning: ["chat"],
    deadMansSwitch: "heartbeat",
});
const secrets = { smtpPassword: "pw", urls: { chat: "https://chat.example.com/hooks/abc", hook: "https://hooks.example.com/x", heartbeat: "https://hc.example.com/ping/123" } };
const tenants = [
    { project: "shop", email: "shop@example.com" },
    { project: "bank", email: "bank@example.org" },
];
const config = renderAlertmanagerConfig({ alerting, secrets, tenants });

describe("Alertmanager configuration", () => {
    it("passes amtool check-config", () => {
        const result = checkConfig(config);
        expect(result.output).toContain("SUCCESS");
        expect(result.ok).toBe(true);
    });

    it.each([
        [{ alertname: "Watchdog", severity: "none" }, ["dead-mans-switch"]],
        [{ alertname: "PlatformNodeNotReady", severity: "critical" }, ["platform-critical"]],
        [{ alertname: "PlatformLonghornVolumeDegraded", severity: "warning" }, ["platform-warning"]],
        [{ alertname: "ProjectQuotaNearlyExhausted", severity: "warning", project: "shop" }, ["project-shop", "platform-warning"]],
        [{ alertname: "ProjectBudgetExceeded", severity: "critical", project: "bank" }, ["project-bank", "platform-critical"]],
        [{ alertname: "Something", severity: "info" }, ["null"]],
        [{ alertname: "InfoInhibitor", severity: "none" }, ["null"]],
    ])("routes %j to %j", (labels, expected) => {
        expect(routeReceivers(config, labels)).toEqual(expected);
    });

    it("merges the configs of the receivers of one severity, secrets in place", () => {
        const receivers = config.receivers as Array<Record<string, any>>;
        const critical = receivers.find((r) => r.name === "platform-critical")!;
        expect(critical.email_configs.map((c: any) => c.to)).toEqual(["oncall@example.com", "lead@example.com"]);
        expect(critical.slack_configs).toEqual([expect.objectContaining({ api_url: "https://chat.example.com/hooks/abc", channel: "#platform" })]);
        expect(receivers.find((r) => r.name === "dead-mans-switch")!.webhook_configs).toEqual([{ url: "https://hc.example.com/ping/123", send_resolved: true }]);
        expect(config.global).toMatchObject({ smtp_smarthost: "smtp.example.com:587", smtp_auth_username: "alerts", smtp_auth_password: "pw", smtp_require_tls: true });
    });

    it("beats the dead man's switch every minute", () => {
        const route = (config.route as any).routes[0];
        expect(route).toEqual({ receiver: "dead-mans-switch", matchers: ['alertname="Watchdog"'], group_wait: "0s", group_interval: "1m", repeat_interval: "1m" });
    });

    it("refuses to render a receiver whose URL secret is missing", () => {
        expect(() => renderAlertmanagerConfig({ alerting, secrets: { ...secrets, urls: { ...secrets.urls, chat: "" } }, tenants })).toThrow(/no urls\.chat/);
    });

    it("sends tenant alerts nowhere special without SMTP or with tenantContacts off", () => {
        const off = renderAlertmanagerConfig({ alerting: { ...alerting, tenantContacts: false }, secrets, tenants });
        expect(routeReceivers(off, { alertname: "X", severity: "warning", project: "shop" })).toEqual(["platform-warning"]);
    });

    it("drops everything when nothing is configured (the dev default), and still passes amtool", () => {
        const dev = renderAlertmanagerConfig({ alerting: stackConfig("dev").alerting, secrets: { urls: {} }, tenants });
        expect(checkConfig(dev).ok).toBe(true);
        expect(routeReceivers(dev, { alertname: "PlatformNodeNotReady", severity: "critical" })).toEqual(["null"]);
    });

    it.each(["fsn1", "hel1"])("renders the shipped %s stack's alerting into a valid, paging configuration", (stack) => {
        const shipped = stackConfig(stack).alerting;
        const urls = Object.fromEntries(shipped.receivers.filter((r) => r.webhook || r.slack).map((r) => [r.name, `https://example.com/${r.name}`]));
        const rendered = renderAlertmanagerConfig({ alerting: shipped, secrets: { smtpPassword: "pw", urls }, tenants });
        expect(checkConfig(rendered).ok).toBe(true);
        expect(routeReceivers(rendered, { alertname: "PlatformNodeNotReady", severity: "critical" })).toEqual(["platform-critical"]);
        expect(routeReceivers(rendered, { alertname: "Watchdog", severity: "none" })).toEqual(["dead-mans-switch"]);
    });
});
