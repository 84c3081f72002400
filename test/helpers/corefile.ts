/**
 * A Corefile check for tests (no CoreDNS binary is installable here: neither npm nor Debian ships one): parses a
 * Corefile the way CoreDNS' Caddy-based loader reads it (server blocks of keys and `{ … }`, one directive a line
 * with an optional block, `import <glob>` at the top level and inside a block), expands imports from the given
 * files, and reports what CoreDNS would refuse at start or reload:
 * - a directive that is no plugin of CoreDNS' plugin.cfg (CoreDNS: "Unknown directive");
 * - a plugin twice in one server block, unless its setup accepts several (CoreDNS: `plugin.ErrOnce`, "this plugin
 *   can only be used once per Server Block"; template loops over its directives, coredns plugin/template/setup.go);
 * - the same zone and port in two server blocks (CoreDNS: "cannot serve … multiple times with same listener").
 * Pure (no vitest), so the corefile test and others can share it.
 */

/** Plugins of CoreDNS 1.12.0's plugin.cfg, the CoreDNS k3s v1.31 packages. */
export const COREDNS_PLUGINS = new Set(
    ("root metadata geoip cancel tls timeouts multisocket reload nsid bufsize bind debug trace ready health pprof prometheus errors log dnstap " +
        "local dns64 acl any chaos loadbalance tsig cache rewrite header dnssec autopath minimal template transfer hosts route53 azure clouddns " +
        "k8s_external kubernetes file auto secondary etcd loop forward grpc erratic whoami on sign view").split(" "),
);

/** Plugins whose setup reads several directives of one server block (checked in their setup.go). */
const REPEATABLE = new Set(["template"]);

/**
 * k3s' packaged Corefile since k3s-io/k3s#4397 (v1.22; unchanged through v1.31): `*.override` files of the
 * `coredns-custom` ConfigMap inside the `.:53` block, `*.server` files at the top level.
 */
export const K3S_COREFILE = `.:53 {
    errors
    health
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    hosts /etc/coredns/NodeHosts {
      ttl 60
      reload 15s
      fallthrough
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
    import /etc/coredns/custom/*.override
}
import /etc/coredns/custom/*.server
`;

/** Where k3s mounts the `coredns-custom` ConfigMap's keys. */
export const COREDNS_CUSTOM_DIR = "/etc/coredns/custom";

/** One directive of a server block. */
export interface Directive {
    name: string;
    args: string[];
}

/** One server block after imports. */
export interface ServerBlock {
    keys: string[];
    directives: Directive[];
}

interface Token {
    text: string;
    line: number;
}

function tokenize(text: string): Token[] {
    const tokens: Token[] = [];
    text.split("\n").forEach((raw, index) => {
        const line = raw.replace(/(^|\s)#.*$/, "");
        for (const match of line.matchAll(/"([^"]*)"|(\S+)/g)) {
            tokens.push({ text: match[1] ?? match[2]!, line: index });
        }
    });
    return tokens;
}

const globToRegExp = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);

/** Files an `import` pattern names (no match is no error: k3s imports from an optional ConfigMap). */
function imported(pattern: string, files: Readonly<Record<string, string>>): string[] {
    const re = globToRegExp(pattern);
    return Object.keys(files)
        .filter((path) => re.test(path))
        .sort()
        .map((path) => files[path]!);
}

/** Directives of a block body (tokens between `{` and its `}`), imports expanded. */
function parseBody(tokens: Token[], start: number, files: Readonly<Record<string, string>>, problems: string[]): { directives: Directive[]; next: number } {
    const directives: Directive[] = [];
    let i = start;
    while (i < tokens.length && tokens[i]!.text !== "}") {
        const name = tokens[i]!.text;
        const line = tokens[i]!.line;
        const args: string[] = [];
        i++;
        while (i < tokens.length && tokens[i]!.line === line && tokens[i]!.text !== "{" && tokens[i]!.text !== "}") {
            args.push(tokens[i]!.text);
            i++;
        }
        if (i < tokens.length && tokens[i]!.text === "{") {
            let depth = 1;
            i++;
            while (i < tokens.length && depth > 0) {
                depth += tokens[i]!.text === "{" ? 1 : tokens[i]!.text === "}" ? -1 : 0;
                i++;
            }
            if (depth > 0) {
                problems.push(`${name}: unclosed block`);
            }
        }
        if (name === "import") {
            for (const content of imported(args[0] ?? "", files)) {
                const inner = tokenize(content);
                const parsed = parseBody(inner, 0, files, problems);
                if (parsed.next < inner.length) {
                    problems.push(`import ${args[0]}: a "}" without its "{"`);
                }
                directives.push(...parsed.directives);
            }
        } else {
            directives.push({ name, args });
        }
    }
    return { directives, next: i };
}

/** The server blocks of a Corefile, imports expanded from `files` (path → content). */
export function parseCorefile(text: string, files: Readonly<Record<string, string>> = {}): { blocks: ServerBlock[]; problems: string[] } {
    const problems: string[] = [];
    const blocks: ServerBlock[] = [];
    const tokens = tokenize(text);
    let i = 0;
    while (i < tokens.length) {
        if (tokens[i]!.text === "import") {
            const pattern = tokens[i + 1]?.text ?? "";
            for (const content of imported(pattern, files)) {
                const inner = parseCorefile(content, files);
                blocks.push(...inner.blocks);
                problems.push(...inner.problems);
            }
            i += 2;
            continue;
        }
        const keys: string[] = [];
        while (i < tokens.length && tokens[i]!.text !== "{") {
            keys.push(...tokens[i]!.text.split(",").filter((k) => k !== ""));
            i++;
        }
        if (i >= tokens.length) {
            problems.push(`server block ${keys.join(" ")}: no "{"`);
            break;
        }
        const body = parseBody(tokens, i + 1, files, problems);
        if (body.next >= tokens.length) {
            problems.push(`server block ${keys.join(" ")}: no closing "}"`);
        }
        blocks.push({ keys, directives: body.directives });
        i = body.next + 1;
    }
    return { blocks, problems };
}

/** `zone:port` of a server block key, as CoreDNS normalises it (port 53 unless given, zone fully qualified). */
function zoneAndPort(key: string): string {
    const withoutScheme = key.replace(/^dns:\/\//, "");
    const [zone, port] = withoutScheme.includes(":") ? [withoutScheme.slice(0, withoutScheme.lastIndexOf(":")), withoutScheme.slice(withoutScheme.lastIndexOf(":") + 1)] : [withoutScheme, "53"];
    return `${zone === "." || zone.endsWith(".") ? zone : `${zone}.`}:${port}`.toLowerCase();
}

/** What CoreDNS would refuse in a Corefile with these imported files; empty when it would load. */
export function corefileProblems(text: string, files: Readonly<Record<string, string>> = {}): string[] {
    const { blocks, problems } = parseCorefile(text, files);
    const listeners = new Map<string, string>();
    for (const block of blocks) {
        const label = block.keys.join(" ");
        for (const key of block.keys) {
            const listener = zoneAndPort(key);
            if (listeners.has(listener)) {
                problems.push(`${listener} is served by two server blocks (${listeners.get(listener)} and ${label})`);
            }
            listeners.set(listener, label);
        }
        const seen = new Set<string>();
        for (const directive of block.directives) {
            if (!COREDNS_PLUGINS.has(directive.name)) {
                problems.push(`${label}: unknown directive "${directive.name}"`);
            } else if (seen.has(directive.name) && !REPEATABLE.has(directive.name)) {
                problems.push(`${label}: plugin/${directive.name}: this plugin can only be used once per Server Block`);
            }
            seen.add(directive.name);
        }
    }
    return problems;
}

/** The `coredns-custom` ConfigMap's keys as the files k3s mounts. */
export function corednsCustomFiles(data: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(data).map(([key, content]) => [`${COREDNS_CUSTOM_DIR}/${key}`, content]));
}
