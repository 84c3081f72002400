import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../../lib/config/parse";
import { rawStackConfig } from "../../helpers/config";
import { configProblems } from "../../helpers/config-problems";

const problemsOf = configProblems;

const alerting = (value: unknown) => JSON.stringify(value);

describe("platform:alerting", () => {
    it("reports every alerting mistake at once, with the key and a fix", () => {
        const raw = rawStackConfig("dev", {
            "platform:alerting": alerting({
                receivers: [
                    { name: "oncall", email: ["oncall@example.com"] },
                    { name: "oncall", webhook: {} },
                    { name: "both", webhook: {}, slack: { channel: "#x" } },
                    { name: "mail", email: ["ops@example.com"] },
                ],
                critical: ["nobody"],
                deadMansSwitch: "mail",
            }),
        });
        const problems = problemsOf(raw);
        const messages = problems.map((p) => `${p.path}: ${p.problem}`);
        expect(messages).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^platform:alerting\.receivers\[0\]\.email: .*smtp is not set/),
                expect.stringMatching(/^platform:alerting\.receivers\[1\]\.name: receiver "oncall" is declared twice/),
                expect.stringMatching(/^platform:alerting\.receivers\[2\]: .*exactly one of email, webhook, slack \(has webhook, slack\)/),
                expect.stringMatching(/^platform:alerting\.critical\[0\]: receiver "nobody" is not declared/),
                expect.stringMatching(/^platform:alerting\.deadMansSwitch: the dead man's switch must be a webhook receiver/),
            ]),
        );
        expect(problems.every((p) => p.source === "Pulumi.test.yaml" && p.fix.length > 0)).toBe(true);
    });

    it("refuses a production stack that pages nobody and has no dead man's switch", () => {
        const raw = rawStackConfig("fsn1", { "platform:alerting": alerting({}) });
        const paths = problemsOf(raw).map((p) => p.path);
        expect(paths).toEqual(expect.arrayContaining(["platform:alerting.critical", "platform:alerting.deadMansSwitch"]));
    });

    it("lets a dev stack run without receivers", () => {
        expect(() => parsePlatformConfig(rawStackConfig("dev"), "Pulumi.dev.yaml")).not.toThrow();
    });

    it("needs each webhook/Slack URL and the SMTP password in platform:alertingSecrets", () => {
        const raw = rawStackConfig("fsn1", { "platform:alertingSecrets": JSON.stringify({ urls: { "ops-chat": "http://plain.example.com" } }) });
        const problems = problemsOf(raw).filter((p) => p.path === "platform:alertingSecrets");
        expect(problems.map((p) => p.problem).sort()).toEqual([
            "smtpPassword is required because platform:alerting.smtp.username is set",
            'urls.heartbeat must be the https URL of receiver "heartbeat"',
            'urls.ops-chat must be the https URL of receiver "ops-chat"',
        ]);
        expect(problems[0]!.fix).toContain("pulumi config set --secret platform:alertingSecrets");
    });

    it("asks for platform:alertingSecrets when it is missing and receivers need it", () => {
        const raw = rawStackConfig("fsn1");
        delete raw["platform:alertingSecrets"];
        expect(problemsOf(raw).map((p) => p.path)).toContain("platform:alertingSecrets");
    });
});
