// What `pulumi up` runs (Pulumi.yaml `main`, `typescript: false`): the program's bundle, rebuilt when stale (programs/compiled.cjs).
"use strict";
module.exports = require("../compiled.cjs").runCompiled(__dirname);
