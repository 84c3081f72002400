import { describe, expect, it } from "vitest";
import { parseDeployArgs, shortStackName, USAGE, UsageError, type DeployArgs } from "../../../tools/driver/args";

function run(argv: string[]): DeployArgs {
    const parsed = parseDeployArgs(argv);
    if (parsed.kind !== "run") {
        throw new Error(`expected arguments to run, got ${parsed.kind}`);
    }
    return parsed.args;
}

function usageError(argv: string[]): string {
    try {
        parseDeployArgs(argv);
    } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as UsageError).message;
    }
    throw new Error(`expected a usage error for: ${argv.join(" ")}`);
}

describe("deploy arguments", () => {
    it("parses preview with both report files", () => {
        expect(run(["preview", "--stack", "dev", "--json", "out.json", "--markdown", "preview.md"])).toEqual({
            command: "preview",
            stack: "dev",
            yes: false,
            jsonPath: "out.json",
            markdownPath: "preview.md",
            confirm: undefined,
            allowProductionDestroy: false,
            tenants: [],
            all: false,
            parallel: 4,
        });
    });

    it("parses up, refresh and drift, with --stack=<name> as well", () => {
        expect(run(["up", "--stack=fsn1", "--yes"])).toMatchObject({ command: "up", stack: "fsn1", yes: true });
        expect(run(["refresh", "--yes", "--stack", "hel1"])).toMatchObject({ command: "refresh", stack: "hel1", yes: true });
        expect(run(["drift", "--stack", "fsn1", "--json", "drift.json"])).toMatchObject({ command: "drift", stack: "fsn1", yes: false, jsonPath: "drift.json" });
    });

    it("parses destroy with confirmation and the production flag", () => {
        expect(run(["destroy", "--stack", "fsn1", "--yes", "--confirm", "fsn1", "--allow-production-destroy"])).toMatchObject({
            command: "destroy",
            stack: "fsn1",
            yes: true,
            confirm: "fsn1",
            allowProductionDestroy: true,
        });
    });

    it("accepts qualified stack names and maps them to the stack file name", () => {
        expect(run(["preview", "--stack", "acme/platform/dev"]).stack).toBe("acme/platform/dev");
        expect(shortStackName("acme/platform/dev")).toBe("dev");
        expect(shortStackName("dev")).toBe("dev");
    });

    it("parses tenant selection: repeated --tenant, --all, --parallel (default 4)", () => {
        expect(run(["preview", "--stack", "fsn1", "--tenant", "shop", "--tenant", "blog"])).toMatchObject({ tenants: ["shop", "blog"], all: false, parallel: 4 });
        expect(run(["up", "--stack", "fsn1", "--all", "--parallel", "8", "--yes"])).toMatchObject({ tenants: [], all: true, parallel: 8 });
        expect(run(["destroy", "--stack", "fsn1", "--tenant", "gone", "--yes", "--confirm", "fsn1--gone"])).toMatchObject({ tenants: ["gone"], confirm: "fsn1--gone" });
    });

    it("lists the exit codes from the one table in the usage text", () => {
        expect(USAGE).toContain("exit codes: 0 ok, 1 failure, 2 mandatory policy violation, 3 drift found, 4 stack locked by another update, 5 data would be lost and nothing acknowledged it; over several stacks the most severe one");
    });

    it("returns help for -h and --help", () => {
        expect(parseDeployArgs(["--help"])).toEqual({ kind: "help" });
        expect(parseDeployArgs(["preview", "-h"])).toEqual({ kind: "help" });
    });

    it.each([
        [[], /missing subcommand: expected one of preview, up, refresh, drift, destroy/],
        [["deploy", "--stack", "dev"], /unknown subcommand "deploy"/],
        [["preview", "dev"], /unexpected argument\(s\) after "preview": dev/],
        [["preview"], /--stack <name> is required/],
        [["preview", "--stack", ""], /--stack <name> is required/],
        [["preview", "--stack", "dev;rm -rf /"], /invalid stack name/],
        [["preview", "--stack", "dev", "--force"], /Unknown option '--force'/],
        [["preview", "--stack", "dev", "--json"], /--json/],
        [["preview", "--stack", "dev", "--markdown", " "], /--markdown needs a file path/],
        [["up", "--stack", "dev", "--confirm", "dev"], /--confirm only applies to destroy/],
        [["drift", "--stack", "dev", "--allow-production-destroy"], /--allow-production-destroy only applies to destroy/],
        [["preview", "--stack", "dev", "--tenant", "shop", "--all"], /--tenant and --all exclude each other/],
        [["preview", "--stack", "dev", "--tenant", "Shop"], /--tenant "Shop" is not a tenant id: must be a lowercase DNS label/],
        [["preview", "--stack", "dev", "--tenant", "a--b"], /is not a tenant id/],
        [["preview", "--stack", "dev", "--tenant", "shop", "--tenant", "shop"], /--tenant names the same tenant twice/],
        [["destroy", "--stack", "dev", "--tenant", "a", "--tenant", "b", "--yes"], /destroy takes one --tenant at a time/],
        [["preview", "--stack", "dev", "--parallel", "0"], /--parallel needs a whole number from 1 to 32, got "0"/],
        [["preview", "--stack", "dev", "--parallel", "2.5"], /--parallel needs a whole number/],
        [["preview", "--stack", "dev", "--parallel", "33"], /--parallel needs a whole number/],
    ])("rejects %j with a clear message", (argv, message) => {
        expect(usageError(argv as string[])).toMatch(message);
    });
});
