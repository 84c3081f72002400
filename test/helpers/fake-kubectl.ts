import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A fake `k3s kubectl` over a JSON file of nodes, for running the node scripts for real (their bash, their
 * jq filters) without a cluster. It implements what those scripts call, with kubectl's semantics where
 * they matter: `get node <n>` fails for an unknown node, `label k-`/`taint k:effect-` remove, `--overwrite`
 * replaces, `get nodes -l k=v -o json` filters by one equality selector.
 */

/** A node as the fake API server holds it. */
export interface FakeNode {
    name: string;
    labels: Record<string, string>;
    taints: Array<{ key: string; value?: string; effect: string }>;
    ready: boolean;
}

const FAKE_K3S = `#!/usr/bin/env node
const fs = require("fs");
const file = process.env.FAKE_NODES;
const nodes = JSON.parse(fs.readFileSync(file, "utf8"));
let args = process.argv.slice(2);
if (args[0] === "kubectl") args = args.slice(1);
fs.appendFileSync(file + ".log", args.join(" ") + "\\n");
const save = () => fs.writeFileSync(file, JSON.stringify(nodes));
const fail = (message) => { process.stderr.write(message + "\\n"); process.exit(1); };
const object = (n) => ({
  metadata: { name: n.name, labels: n.labels },
  spec: n.taints.length ? { taints: n.taints } : {},
  status: { conditions: [{ type: "Ready", status: n.ready ? "True" : "False" }] },
});
const find = (name) => nodes.find((n) => n.name === name) || fail('Error from server (NotFound): nodes "' + name + '" not found');
const overwrite = args.includes("--overwrite");
const rest = args.slice(3).filter((a) => a !== "--overwrite");
if (args[0] === "get" && args[1] === "node") {
  const n = find(args[2]);
  console.log(args.includes("json") ? JSON.stringify(object(n)) : n.name + "   " + (n.ready ? "Ready" : "NotReady"));
} else if (args[0] === "get" && args[1] === "nodes") {
  const [key, value] = args[args.indexOf("-l") + 1].split("=");
  const items = nodes.filter((n) => n.labels[key] === value);
  if (args.includes("wide")) items.forEach((n) => console.log(n.name + "   " + (n.ready ? "Ready" : "NotReady")));
  else console.log(JSON.stringify({ items: items.map(object) }));
} else if (args[0] === "label" && args[1] === "node") {
  const n = find(args[2]);
  for (const r of rest) {
    if (r.endsWith("-")) { delete n.labels[r.slice(0, -1)]; continue; }
    const [key, value] = r.split("=");
    if (key in n.labels && n.labels[key] !== value && !overwrite) fail("error: '" + key + "' already has a value (" + n.labels[key] + "), and --overwrite is false");
    n.labels[key] = value;
  }
  save();
} else if (args[0] === "taint" && args[1] === "node") {
  const n = find(args[2]);
  for (const r of rest) {
    const m = /^([^=:]+)(?:=([^:]*))?:([A-Za-z]+)(-?)$/.exec(r) || fail("error: invalid taint spec: " + r);
    const [, key, value, effect, remove] = m;
    const at = n.taints.findIndex((t) => t.key === key && t.effect === effect);
    if (remove) {
      if (at < 0) fail("error: taint " + JSON.stringify(key + ":" + effect) + " not found");
      n.taints.splice(at, 1);
    } else if (at >= 0) {
      if (!overwrite) fail("error: node " + n.name + " already has " + key + " taint(s) with same effect(s) and --overwrite is false");
      n.taints[at] = value ? { key, value, effect } : { key, effect };
    } else {
      n.taints.push(value ? { key, value, effect } : { key, effect });
    }
  }
  save();
} else {
  fail("fake kubectl: unsupported " + args.join(" "));
}
`;

/** A fake cluster: write nodes, run a script against it, read the nodes back. */
export interface FakeCluster {
    /** Runs a bash script with the fake `k3s` first on PATH. */
    run(script: string, killAfterSeconds?: number): { status: number | null; stdout: string; stderr: string; seconds: number };
    /** The nodes as the last command left them. */
    nodes(): FakeNode[];
    /** Every kubectl invocation so far. */
    calls(): string[];
    /** Removes the temporary files. */
    dispose(): void;
}

/** Creates a fake cluster holding these nodes. */
export function fakeCluster(nodes: FakeNode[]): FakeCluster {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "platform-fake-kubectl-"));
    const bin = path.join(root, "bin");
    const state = path.join(root, "nodes.json");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "k3s"), FAKE_K3S, { mode: 0o755 });
    fs.writeFileSync(state, JSON.stringify(nodes));
    return {
        run(script, killAfterSeconds = 30) {
            const started = Date.now();
            const result = spawnSync("bash", ["-c", script], {
                encoding: "utf8",
                timeout: killAfterSeconds * 1000,
                killSignal: "SIGKILL",
                env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, FAKE_NODES: state },
            });
            return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "", seconds: (Date.now() - started) / 1000 };
        },
        nodes: () => JSON.parse(fs.readFileSync(state, "utf8")) as FakeNode[],
        calls: () => (fs.existsSync(`${state}.log`) ? fs.readFileSync(`${state}.log`, "utf8").trim().split("\n") : []),
        dispose: () => fs.rmSync(root, { recursive: true, force: true }),
    };
}
