/** Every module specifier a TypeScript file imports, re-exports, requires or loads dynamically. */
export function importedSpecifiers(source: string): string[] {
    const found: string[] = [];
    const patterns = [/\b(?:import|export)\s[^;"'`]*?\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\b(?:require|import)\s*\(\s*["']([^"']+)["']\s*\)/g];
    for (const pattern of patterns) {
        for (const match of source.matchAll(pattern)) {
            found.push(match[1]!);
        }
    }
    return found;
}
