/**
 * Compile check of surviving mutants after a Stryker run without its TypeScript checker (`MUTATION_TYPECHECK=0`,
 * see tools/mutation.ts): a survivor the compiler rejects cannot exist in a built program, so it is counted as
 * invalid, as the checker would have. Only the survivors are checked (one incremental program per mutant).
 */
import * as path from "node:path";
import * as ts from "typescript";

/** One mutant of Stryker's JSON report (mutation-testing-report-schema: 1-based lines and columns). */
export interface ReportMutant {
    /** Stryker's id of the mutant. */
    id: string;
    /** Killed, Survived, NoCoverage, Timeout, CompileError, RuntimeError, Ignored. */
    status: string;
    /** The mutator that made it (StringLiteral, ConditionalExpression, …). */
    mutatorName: string;
    /** The code that replaces the location. */
    replacement?: string;
    /** Where in the source, 1-based line and column, end exclusive. */
    location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

/** One file of the report: its source as mutated and its mutants. */
export interface ReportFile {
    /** The unmutated source. */
    source: string;
    /** Its mutants. */
    mutants: ReportMutant[];
}

/** Offset of a 1-based line and column in `text`. */
function offsetOf(text: string, position: { line: number; column: number }): number {
    let offset = 0;
    for (let line = 1; line < position.line; line++) {
        const next = text.indexOf("\n", offset);
        if (next < 0) {
            throw new Error(`line ${position.line} is past the end of the source (${line} lines)`);
        }
        offset = next + 1;
    }
    return offset + position.column - 1;
}

/** The source with one mutant applied. */
export function applyMutant(source: string, mutant: Pick<ReportMutant, "replacement" | "location">): string {
    const start = offsetOf(source, mutant.location.start);
    const end = offsetOf(source, mutant.location.end);
    return `${source.slice(0, start)}${mutant.replacement ?? ""}${source.slice(end)}`;
}

/**
 * Ids of the given mutants the TypeScript compiler rejects: each is applied alone to its file, and the mutated
 * files are type-checked in the program of `tsconfigFile` (the module's sources and guarding tests).
 */
export function compileRejected(tsconfigFile: string, files: Readonly<Record<string, ReportFile>>, ids: ReadonlySet<string>): Set<string> {
    const parsed = ts.getParsedCommandLineOfConfigFile(tsconfigFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n")); } });
    if (!parsed) {
        throw new Error(`cannot read ${tsconfigFile}`);
    }
    const host = ts.createCompilerHost(parsed.options);
    const baseGetSourceFile = host.getSourceFile.bind(host);
    // Unchanged files are parsed once and handed out as the same objects, so each program reuses them.
    const unchanged = new Map<string, ts.SourceFile | undefined>();
    let override: { file: string; text: string } | undefined;
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
        if (override && path.resolve(fileName) === override.file) {
            return ts.createSourceFile(fileName, override.text, languageVersion, true);
        }
        if (!unchanged.has(fileName)) {
            unchanged.set(fileName, baseGetSourceFile(fileName, languageVersion, onError, shouldCreate));
        }
        return unchanged.get(fileName);
    };
    let program = ts.createProgram(parsed.fileNames, parsed.options, host);
    // Only the mutated files are checked (a mutant that breaks a caller's types but not its own file is not
    // seen): checking the guarding tests too costs a whole program's check per mutant on a loaded machine.
    const checked = Object.keys(files).map((f) => path.resolve(f));
    const errorsOf = (p: ts.Program) => checked.flatMap((f) => {
        const sf = p.getSourceFile(f);
        return sf ? [...p.getSyntacticDiagnostics(sf), ...p.getSemanticDiagnostics(sf)] : [];
    }).length;
    const baseline = errorsOf(program);
    const rejected = new Set<string>();
    for (const [file, { source, mutants }] of Object.entries(files)) {
        for (const mutant of mutants.filter((m) => ids.has(m.id))) {
            override = { file: path.resolve(file), text: applyMutant(source, mutant) };
            program = ts.createProgram(parsed.fileNames, parsed.options, host, program);
            if (errorsOf(program) > baseline) {
                rejected.add(mutant.id);
            }
        }
    }
    return rejected;
}
