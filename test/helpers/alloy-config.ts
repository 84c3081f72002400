/**
 * A parser for the part of the Alloy configuration syntax the platform generates (blocks with optional labels,
 * attributes, string literals with Go escapes, arrays, objects, references, function calls and `+`), and an
 * evaluator of the pipeline the platform renders: Prometheus relabelling (`discovery.relabel` rules, action
 * `replace` with its defaults: separator ";", regex "(.*)" anchored at both ends, replacement "$1", an empty
 * result removes the target label), loki.source.kubernetes dropping every `__` label, `loki.process` with
 * `stage.tenant { label }` and `stage.label_drop`, and loki.write's `tenant_id` for lines without one. Written
 * from Alloy's and Prometheus' documentation and source (grafana/alloy v1.18.1
 * internal/component/loki/process/stages/tenant.go, internal/component/common/loki/client/endpoint.go
 * getTenantID, loki/source/kubernetes/kubetail/target.go), independently of the renderer. Must not import vitest.
 */

/** A value of an attribute. */
export type AlloyValue = string | number | boolean | AlloyValue[] | { [key: string]: AlloyValue } | { ref: string } | { call: string; args: AlloyValue[] } | { plus: [AlloyValue, AlloyValue] };

/** A block: `name "label" { attributes and blocks }`. */
export interface AlloyBlock {
    name: string;
    label?: string;
    attributes: Record<string, AlloyValue>;
    blocks: AlloyBlock[];
}

class Parser {
    private i = 0;
    constructor(private readonly text: string) {}

    fail(message: string): never {
        const line = this.text.slice(0, this.i).split("\n").length;
        throw new Error(`alloy syntax, line ${line}: ${message} near ${JSON.stringify(this.text.slice(this.i, this.i + 30))}`);
    }

    skip(): void {
        for (;;) {
            const rest = this.text.slice(this.i);
            const ws = /^[ \t\r\n]+/.exec(rest);
            if (ws) {
                this.i += ws[0].length;
                continue;
            }
            if (rest.startsWith("//")) {
                const end = this.text.indexOf("\n", this.i);
                this.i = end < 0 ? this.text.length : end;
                continue;
            }
            if (rest.startsWith("/*")) {
                const end = this.text.indexOf("*/", this.i);
                if (end < 0) this.fail("unterminated comment");
                this.i = end + 2;
                continue;
            }
            return;
        }
    }

    peek(s: string): boolean {
        this.skip();
        return this.text.startsWith(s, this.i);
    }

    expect(s: string): void {
        if (!this.peek(s)) this.fail(`expected ${JSON.stringify(s)}`);
        this.i += s.length;
    }

    identifier(): string {
        this.skip();
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.i));
        if (!m) this.fail("expected an identifier");
        this.i += m[0].length;
        return m[0];
    }

    dotted(): string {
        let name = this.identifier();
        while (this.text[this.i] === ".") {
            this.i += 1;
            name += `.${this.identifier()}`;
        }
        return name;
    }

    string(): string {
        this.expect('"');
        let out = "";
        for (;;) {
            const ch = this.text[this.i];
            if (ch === undefined || ch === "\n") this.fail("unterminated string");
            this.i += 1;
            if (ch === '"') return out;
            if (ch === "\\") {
                const next = this.text[this.i];
                this.i += 1;
                const simple: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r" };
                if (next !== undefined && next in simple) {
                    out += simple[next];
                } else {
                    this.fail(`unsupported escape \\${next}`);
                }
            } else {
                out += ch;
            }
        }
    }

    primary(): AlloyValue {
        this.skip();
        const ch = this.text[this.i];
        if (ch === '"') return this.string();
        if (ch === "[") {
            this.i += 1;
            const items: AlloyValue[] = [];
            while (!this.peek("]")) {
                items.push(this.expression());
                if (!this.peek("]")) this.expect(",");
            }
            this.expect("]");
            return items;
        }
        if (ch === "{") {
            this.i += 1;
            const object: Record<string, AlloyValue> = {};
            while (!this.peek("}")) {
                const key = this.peek('"') ? this.string() : this.identifier();
                this.expect("=");
                object[key] = this.expression();
                if (!this.peek("}")) this.expect(",");
            }
            this.expect("}");
            return object;
        }
        const number = /^-?\d+(\.\d+)?/.exec(this.text.slice(this.i));
        if (number) {
            this.i += number[0].length;
            return Number(number[0]);
        }
        const name = this.dotted();
        if (name === "true" || name === "false") return name === "true";
        if (this.peek("(")) {
            this.expect("(");
            const args: AlloyValue[] = [];
            while (!this.peek(")")) {
                args.push(this.expression());
                if (!this.peek(")")) this.expect(",");
            }
            this.expect(")");
            return { call: name, args };
        }
        return { ref: name };
    }

    expression(): AlloyValue {
        let left = this.primary();
        while (this.peek("+")) {
            this.expect("+");
            left = { plus: [left, this.primary()] };
        }
        return left;
    }

    body(closing: boolean): Pick<AlloyBlock, "attributes" | "blocks"> {
        const attributes: Record<string, AlloyValue> = {};
        const blocks: AlloyBlock[] = [];
        for (;;) {
            this.skip();
            if (closing && this.peek("}")) {
                this.expect("}");
                return { attributes, blocks };
            }
            if (!closing && this.i >= this.text.length) return { attributes, blocks };
            const name = this.dotted();
            if (this.peek("=")) {
                this.expect("=");
                if (name in attributes) this.fail(`attribute ${name} set twice`);
                attributes[name] = this.expression();
                continue;
            }
            const label = this.peek('"') ? this.string() : undefined;
            this.expect("{");
            blocks.push({ name, ...(label === undefined ? {} : { label }), ...this.body(true) });
        }
    }
}

/** Parses a configuration into its top-level blocks; throws on anything outside the syntax. */
export function parseAlloy(text: string): AlloyBlock[] {
    const parsed = new Parser(text).body(false);
    if (Object.keys(parsed.attributes).length > 0) {
        throw new Error(`alloy syntax: top-level attributes ${Object.keys(parsed.attributes).join(", ")}`);
    }
    return parsed.blocks;
}

/** The one component `name "label"` of a configuration. */
export function component(blocks: AlloyBlock[], name: string, label: string): AlloyBlock {
    const found = blocks.filter((b) => b.name === name && b.label === label);
    if (found.length !== 1) throw new Error(`${found.length} components ${name} "${label}"`);
    return found[0]!;
}

const str = (value: AlloyValue | undefined, fallback: string): string => (value === undefined ? fallback : typeof value === "string" ? value : (() => { throw new Error(`not a string: ${JSON.stringify(value)}`); })());

/** Applies `rule` blocks (action replace) to a label set, as Prometheus' relabelling does. */
export function relabel(rules: AlloyBlock[], input: Readonly<Record<string, string>>): Record<string, string> {
    const labels = { ...input };
    for (const rule of rules.filter((b) => b.name === "rule")) {
        const action = str(rule.attributes.action, "replace");
        if (action !== "replace") throw new Error(`relabel action ${action} is not evaluated here`);
        const sources = (rule.attributes.source_labels ?? []) as string[];
        const value = sources.map((s) => labels[s] ?? "").join(str(rule.attributes.separator, ";"));
        const match = new RegExp(`^(?:${str(rule.attributes.regex, "(.*)")})$`).exec(value);
        const target = str(rule.attributes.target_label, "");
        if (!match || target === "") continue;
        const result = str(rule.attributes.replacement, "$1").replace(/\$(\d+)|\$\{(\d+)\}/g, (_, a, b) => match[Number(a ?? b)] ?? "");
        if (result === "") {
            delete labels[target];
        } else {
            labels[target] = result;
        }
    }
    return labels;
}

/** Where one pod's lines end up: their Loki tenant and stream labels. */
export interface ShippedStream {
    tenant: string;
    labels: Record<string, string>;
}

/**
 * Runs a pod's discovery labels through the platform's pipeline: `discovery.relabel "pods"`, the source's drop of
 * `__` labels, `loki.process "tenant"` (stage.tenant by label, stage.label_drop) and loki.write's default tenant.
 */
export function shipPod(config: string, discovered: Readonly<Record<string, string>>): ShippedStream {
    const blocks = parseAlloy(config);
    const relabelled = relabel(component(blocks, "discovery.relabel", "pods").blocks, discovered);
    const labels: Record<string, string> = Object.fromEntries(Object.entries(relabelled).filter(([name]) => !name.startsWith("__")));
    let tenant: string | undefined;
    for (const stage of component(blocks, "loki.process", "tenant").blocks) {
        if (stage.name === "stage.tenant") {
            const fromLabel = labels[str(stage.attributes.label, "")];
            const value = stage.attributes.value === undefined ? fromLabel : str(stage.attributes.value, "");
            if (value) tenant = value;
        } else if (stage.name === "stage.label_drop") {
            for (const name of stage.attributes.values as string[]) delete labels[name];
        } else {
            throw new Error(`stage ${stage.name} is not evaluated here`);
        }
    }
    const endpoint = component(blocks, "loki.write", "loki").blocks.find((b) => b.name === "endpoint");
    return { tenant: tenant ?? str(endpoint?.attributes.tenant_id, "fake"), labels };
}
