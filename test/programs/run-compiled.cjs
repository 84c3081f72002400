// @ts-check
/**
 * `node test/programs/run-compiled.cjs <main.js>`: loads a program's main.js in a plain Node.js process, the way
 * the pinned SDK's run.js loads a JavaScript program (`require(program)`, its export awaited), with the SDK's
 * mocks in place of the engine, and prints what it registered: `REGISTERED <json>` (type and name of each
 * registered resource, reads left out, in registration order; and the names of the stack's outputs). Input from the environment: RUN_COMPILED = `{project, stack, config,
 * secretKeys}`. No vitest and no TypeScript loader here: only what `pulumi up` itself has.
 */
"use strict";
const pulumi = require("@pulumi/pulumi");

async function main() {
    const [program] = process.argv.slice(2);
    const input = JSON.parse(process.env.RUN_COMPILED ?? "{}");
    const registered = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                // A read of an existing object (`Secret.get`) carries its id; the offline plan lists registrations only.
                if (!args.id) {
                    registered.push({ type: args.type, name: args.name });
                }
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args) => args.inputs,
        },
        input.project,
        input.stack,
        false,
    );
    pulumi.runtime.setAllConfig(input.config, input.secretKeys);
    /** @type {Record<string, unknown> | undefined} */
    let outputs;
    // As run.js: the program runs inside the Stack resource; then every registration RPC drains.
    await pulumi.runtime.runInPulumiStack(async () => {
        const exported = require(program);
        outputs = await (exported instanceof Function ? exported() : exported);
        return outputs;
    });
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
    process.stdout.write(`REGISTERED ${JSON.stringify({ resources: registered, outputs: Object.keys(outputs ?? {}) })}\n`);
}

main().then(
    () => process.exit(0),
    (error) => {
        process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
        process.exit(1);
    },
);
