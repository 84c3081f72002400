import { describe, expect, it } from "vitest";
import {
    assertServerTypesAvailable,
    findUnavailableServerTypes,
    formatUnavailableServerTypes,
    serverTypesAnswerFromTable,
    ServerTypeUnavailableError,
    typesToOrder,
    type ServerTypeAnswer,
    type ServerTypesAnswer,
} from "../../../lib/hetzner/availability";
import { rejectServerType, SERVER_TYPES } from "../../../lib/hetzner/server-types";

/** A hand-written API answer: what `GET /server_types` returns, reduced to the fields the check reads. */
const type = (name: string, architecture: string, cores: number, memory: number, cpuType: string, locations: ServerTypeAnswer["locations"]): ServerTypeAnswer => ({
    name,
    architecture,
    cores,
    memory,
    cpuType,
    locations,
});
const at = (name: string, available = true, isDeprecated = false) => ({ name, available, isDeprecated });
const ANSWER: ServerTypesAnswer = {
    serverTypes: [
        type("cx23", "x86", 2, 4, "shared", [at("fsn1", false), at("nbg1")]),
        type("cx33", "x86", 4, 8, "shared", [at("fsn1"), at("nbg1")]),
        type("cx43", "x86", 8, 16, "shared", [at("fsn1"), at("nbg1")]),
        type("cpx22", "x86", 2, 4, "shared", [at("fsn1")]),
        type("ccx13", "x86", 2, 8, "dedicated", [at("fsn1"), at("ash")]),
        type("cax11", "arm", 2, 4, "shared", [at("fsn1")]),
        type("cx22", "x86", 2, 4, "shared", [at("fsn1", true, true)]),
        type("cpx11", "x86", 2, 2, "shared", [at("ash")]),
    ],
};

describe("findUnavailableServerTypes", () => {
    it("passes types the answer lists as available and not deprecated in the location", () => {
        expect(findUnavailableServerTypes([{ serverType: "cx33", nodes: ["a"] }, { serverType: "CCX13", nodes: ["b"] }], "fsn1", ANSWER)).toEqual([]);
    });

    it("names a temporarily unavailable type with orderable alternatives of the same architecture, fitting ones first", () => {
        const [unavailable, ...rest] = findUnavailableServerTypes([{ serverType: "cx23", nodes: ["fsn1-edge-0"] }], "fsn1", ANSWER);
        expect(rest).toEqual([]);
        expect(unavailable).toEqual({
            serverType: "cx23",
            location: "fsn1",
            reason: "temporarily unavailable in this location",
            nodes: ["fsn1-edge-0"],
            // ≥ 2 vCPU / 4 GB, shared before dedicated, smallest first; cax11 (arm) and cx22 (deprecated) are not offered.
            alternatives: ["cpx22", "cx33", "cx43", "ccx13"],
        });
    });

    it("tells deprecated, not offered here and unknown apart", () => {
        const result = findUnavailableServerTypes(
            [
                { serverType: "cx22", nodes: ["n1"] },
                { serverType: "cpx11", nodes: ["n2"] },
                { serverType: "cx99", nodes: ["n3"] },
            ],
            "fsn1",
            ANSWER,
        );
        expect(result.map((u) => [u.serverType, u.reason])).toEqual([
            ["cx22", "deprecated in this location"],
            ["cpx11", "not offered in this location"],
            ["cx99", "unknown to the hcloud API"],
        ]);
        // Smaller than cpx11 (2 vCPU, 2 GB) there is nothing, so every orderable x86 type fits.
        expect(result[1]!.alternatives).toEqual(["cpx22", "cx33", "cx43", "ccx13"]);
    });

    it("offers the smaller types, largest first, when nothing as large is orderable", () => {
        const answer: ServerTypesAnswer = { serverTypes: [type("cx53", "x86", 16, 32, "shared", [at("hel1", false)]), ...ANSWER.serverTypes.map((t) => ({ ...t, locations: t.locations.map((l) => ({ ...l, name: l.name === "fsn1" ? "hel1" : l.name })) }))] };
        expect(findUnavailableServerTypes([{ serverType: "cx53", nodes: ["x"] }], "hel1", answer)[0]!.alternatives).toEqual(["cx43", "cx33", "cpx22", "ccx13"]);
    });
});

describe("assertServerTypesAvailable", () => {
    it("throws one RunError naming every type, the location, the nodes and the alternatives", () => {
        let error: unknown;
        try {
            assertServerTypesAvailable([{ serverType: "cx23", nodes: ["fsn1-edge-0", "fsn1-edge-1"] }, { serverType: "cx22", nodes: ["fsn1-run-0"] }], "fsn1", ANSWER);
        } catch (caught) {
            error = caught;
        }
        expect(error).toBeInstanceOf(ServerTypeUnavailableError);
        const message = (error as Error).message;
        expect(message).toContain("cannot create 2 server types");
        expect(message).toContain("cx23 in fsn1: temporarily unavailable in this location (nodes fsn1-edge-0, fsn1-edge-1)");
        expect(message).toContain("orderable in fsn1 now: cpx22, cx33, cx43, ccx13");
        expect(message).toContain("cx22 in fsn1: deprecated in this location (nodes fsn1-run-0)");
        expect((error as ServerTypeUnavailableError).unavailable).toHaveLength(2);
    });

    it("says so when the answer lists no orderable type of the architecture", () => {
        const text = formatUnavailableServerTypes([{ serverType: "cax11", location: "ash", reason: "not offered in this location", nodes: ["n"], alternatives: [] }]);
        expect(text).toContain("lists no orderable type of the same architecture in ash");
    });
});

describe("serverTypesAnswerFromTable (the offline plan's answer)", () => {
    const answer = serverTypesAnswerFromTable();

    it("lists every table type with its sizes", () => {
        expect(answer.serverTypes.map((t) => t.name).sort()).toEqual(Object.keys(SERVER_TYPES).sort());
        const cx43 = answer.serverTypes.find((t) => t.name === "cx43")!;
        expect([cx43.architecture, cx43.cores, cx43.memory]).toEqual(["x86", 8, 16]);
        expect(cx43.locations.map((l) => l.name)).toEqual(["fsn1", "nbg1", "hel1"]);
    });

    it("agrees with the offline config check in every location: accepted types are orderable, rejected ones are not", () => {
        for (const location of ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"]) {
            for (const name of Object.keys(SERVER_TYPES)) {
                const offline = rejectServerType(name, location) === undefined;
                const online = findUnavailableServerTypes([{ serverType: name, nodes: ["n"] }], location, answer).length === 0;
                expect(online, `${name} in ${location}`).toBe(offline);
            }
        }
    });
});

describe("typesToOrder", () => {
    const nodes = [
        { hostname: "fsn1-server-0", serverType: "cx43" },
        { hostname: "fsn1-run-0", serverType: "cx43" },
        { hostname: "fsn1-edge-0", serverType: "CX23" },
    ];

    it("asks for every type on a first run, grouped with its nodes, lowercase", () => {
        expect(typesToOrder(nodes, [])).toEqual([
            { serverType: "cx43", nodes: ["fsn1-server-0", "fsn1-run-0"] },
            { serverType: "cx23", nodes: ["fsn1-edge-0"] },
        ]);
    });

    it("skips nodes whose server already runs with the wanted type, not those to create or rescale", () => {
        const existing = [
            { name: "fsn1-server-0", serverType: "cx43" },
            { name: "fsn1-run-0", serverType: "cx33" }, // a rescale to cx43 needs capacity
            { name: "fsn1-edge-0", serverType: "cx23" },
            { name: "other-stack-node", serverType: "cx43" },
        ];
        expect(typesToOrder(nodes, existing)).toEqual([{ serverType: "cx43", nodes: ["fsn1-run-0"] }]);
    });
});
