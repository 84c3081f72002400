import * as zlib from "node:zlib";
import * as yaml from "js-yaml";
import { asArray, asRecord, asString, isTrue } from "./values";

/**
 * Reads the k3s configuration out of a node's cloud-init user-data: the `write_files` entries for
 * `/etc/rancher/k3s/config.yaml` and its `config.yaml.d/*.yaml` drop-ins (merged the way k3s merges them),
 * plus the node's role. Keys are k3s flag names (`secrets-encryption`, `kube-apiserver-arg`, …).
 */

/** Where k3s reads its config. */
export const K3S_CONFIG_PATH = "/etc/rancher/k3s/config.yaml";
/** Drop-in directory k3s merges after the main file, in lexical order. */
export const K3S_DROP_IN_DIR = "/etc/rancher/k3s/config.yaml.d/";

/** A node's effective k3s config as delivered in user-data. */
export interface K3sNodeConfig {
    /** `server` (runs the control plane) or `agent`. */
    role: "server" | "agent";
    /** The merged config. */
    config: Record<string, unknown>;
    /** The files it came from, main file first. */
    files: string[];
}

/** Outcome of reading user-data: no k3s config (not applicable), a config, or a config that cannot be read. */
export type K3sConfigRead = { kind: "none" } | { kind: "config"; node: K3sNodeConfig } | { kind: "invalid"; file: string; reason: string };

/**
 * Server-only keys: any of them marks the config as a server's (an agent rejects them). `server:` alone does
 * not: agents carry it too, as the join address.
 */
const SERVER_ONLY_KEYS = [
    "cluster-init",
    "secrets-encryption",
    "kube-apiserver-arg",
    "kube-controller-manager-arg",
    "kube-scheduler-arg",
    "cluster-cidr",
    "service-cidr",
    "cluster-dns",
    "cluster-domain",
    "tls-san",
    "disable",
    "datastore-endpoint",
    "write-kubeconfig-mode",
    "etcd-s3",
    "etcd-snapshot-schedule-cron",
    "etcd-expose-metrics",
    "etcd-disable-snapshots",
    "flannel-backend",
    "disable-network-policy",
];

/** Markers of an agent install in the user-data (the bootstrap installs k3s with `INSTALL_K3S_EXEC="agent"`). */
const AGENT_MARKERS = [/INSTALL_K3S_EXEC\s*=\s*["']?\s*agent\b/, /\bk3s\s+agent\b/, /\bk3s-agent\b/];

function isCloudConfig(userData: string): boolean {
    // cloud-init accepts a Jinja template header line before `#cloud-config`.
    const lines = userData.replace(/^\uFEFF/, "").split(/\r?\n/, 2);
    return lines[0]?.trim() === "#cloud-config" || (/^##\s*template:\s*jinja/i.test(lines[0] ?? "") && lines[1]?.trim() === "#cloud-config");
}

function decodeContent(file: Record<string, unknown>): string {
    // `!!binary` content (how YAML carries gzip bytes) loads as a Uint8Array.
    const bytes = file.content instanceof Uint8Array ? Buffer.from(file.content) : undefined;
    const content = asString(file.content) ?? "";
    const encoding = (asString(file.encoding) ?? "text/plain").toLowerCase();
    switch (encoding) {
        case "text/plain":
            return bytes ? bytes.toString("utf8") : content;
        case "b64":
        case "base64":
            return Buffer.from(content, "base64").toString("utf8");
        case "gz":
        case "gzip":
            return zlib.gunzipSync(bytes ?? Buffer.from(content, "latin1")).toString("utf8");
        case "gz+b64":
        case "gz+base64":
        case "gzip+b64":
        case "gzip+base64":
            return zlib.gunzipSync(Buffer.from(content, "base64")).toString("utf8");
        default:
            throw new Error(`unknown write_files encoding "${encoding}"`);
    }
}

/** Merges a drop-in the way k3s does: keys replace, `key+` appends to the list of `key`. */
function mergeDropIn(base: Record<string, unknown>, dropIn: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(dropIn)) {
        if (key.endsWith("+")) {
            const name = key.slice(0, -1);
            const existing = base[name];
            const existingList = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
            base[name] = [...existingList, ...(Array.isArray(value) ? value : [value])];
        } else {
            base[key] = value;
        }
    }
}

function roleOf(config: Record<string, unknown>, userData: string): "server" | "agent" {
    if (isTrue(config["cluster-init"])) {
        return "server";
    }
    if (AGENT_MARKERS.some((marker) => marker.test(userData))) {
        return "agent";
    }
    // No agent marker: a config with server-only keys, a joining config (`server:`) and a bare config all run
    // the control plane. Judging an unmarked config as a server errs on the side of checking more.
    return "server";
}

/** Whether a config holds a key only servers accept (used by tests and messages). */
export function hasServerOnlyKeys(config: Record<string, unknown>): boolean {
    return SERVER_ONLY_KEYS.some((key) => key in config);
}

/** Reads the k3s config of a node from its user-data. */
export function readK3sConfig(userData: unknown): K3sConfigRead {
    if (typeof userData !== "string" || !isCloudConfig(userData)) {
        return { kind: "none" };
    }
    let document: unknown;
    try {
        document = yaml.load(userData);
    } catch {
        // cloud-init would not run a document it cannot parse, so no k3s config reaches the node.
        return { kind: "none" };
    }
    const files = asArray(asRecord(document)?.write_files)
        .map((entry) => asRecord(entry))
        .filter((entry): entry is Record<string, unknown> => entry !== undefined)
        .map((entry) => ({ path: asString(entry.path) ?? "", entry }))
        .filter(({ path }) => path === K3S_CONFIG_PATH || (path.startsWith(K3S_DROP_IN_DIR) && /\.ya?ml$/.test(path)))
        .sort((a, b) => (a.path === K3S_CONFIG_PATH ? -1 : b.path === K3S_CONFIG_PATH ? 1 : a.path.localeCompare(b.path)));
    if (files.length === 0) {
        return { kind: "none" };
    }
    const config: Record<string, unknown> = {};
    for (const { path, entry } of files) {
        let parsed: unknown;
        try {
            parsed = yaml.load(decodeContent(entry));
        } catch (error) {
            return { kind: "invalid", file: path, reason: error instanceof Error ? error.message.split("\n")[0]! : String(error) };
        }
        if (parsed === undefined || parsed === null) {
            continue;
        }
        const record = asRecord(parsed);
        if (!record) {
            return { kind: "invalid", file: path, reason: "not a YAML mapping of k3s flags" };
        }
        mergeDropIn(config, record);
    }
    return { kind: "config", node: { role: roleOf(config, userData), config, files: files.map((f) => f.path) } };
}

/** The values of a list flag (`kube-apiserver-arg`, `kubelet-arg`): a list or a single string. */
export function flagList(config: Record<string, unknown>, key: string): string[] {
    const value = config[key];
    const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
    return list.filter((v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean").map(String);
}

/**
 * The value of `name=value` in a list of component arguments (`--name=value` accepted). The last occurrence
 * wins, as it does for the Kubernetes components' flag parsing.
 */
export function argValue(args: readonly string[], name: string): string | undefined {
    let value: string | undefined;
    for (const arg of args) {
        const trimmed = arg.trim().replace(/^--?/, "");
        const eq = trimmed.indexOf("=");
        const key = eq < 0 ? trimmed : trimmed.slice(0, eq);
        if (key === name) {
            value = eq < 0 ? "" : trimmed.slice(eq + 1).trim();
        }
    }
    return value;
}
