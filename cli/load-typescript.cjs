/**
 * The commands' TypeScript loader: `node --require ./cli/load-typescript.cjs cli/plan/main.ts`.
 *
 * Why not `node --import tsx`: profiled on `npm run plan`, tsx cost about as much CPU as loading
 * @pulumi/pulumi itself. Its ESM hooks run on a worker thread that the main thread waits for
 * (node:internal/modules/esm/hooks `waitForWorker`, `makeSyncRequest`), its CommonJS hook lexes every
 * node_modules .js file to detect ESM syntax, and it turns on source maps, so node reads and parses the
 * .js.map of every SDK file. This project is CommonJS ("type": "commonjs", tsconfig "module": "commonjs")
 * and needs none of that: only its own .ts files need transforming.
 *
 * What it does: registers a require() handler for .ts files. Each file is compiled
 * by esbuild (the compiler tsx itself uses) to CommonJS, with `import()` turned into `require()` as tsc
 * does for "module": "commonjs" (and as `pulumi up` runs the program). The result is cached in
 * node_modules/.cache/mastodon-media/typescript/, under the SHA-256 of esbuild's version, the compile
 * options, the file's path and its exact source text. A cached copy is therefore never stale: any edit
 * to the file is a different key and is compiled afresh. The files keep their own paths (__dirname,
 * relative imports and stack traces name the .ts file); `pulumi up` is untouched and still runs the same
 * sources through its own TypeScript support (Pulumi.yaml `typescript: true`).
 *
 * On node >= 22.1, V8's own compile cache (node's module.enableCompileCache, keyed by node on each file's
 * content) is turned on too, for the SDKs' JavaScript as well: node 20 lacks it and simply skips it.
 *
 * Source maps are inline in each compiled file; node applies them to stack traces only when asked
 * (`node --enable-source-maps`), because turning them on also parses every SDK's maps (~10% of a plan).
 */
"use strict";
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const CACHE_ROOT = path.join(ROOT, "node_modules", ".cache", "mastodon-media");
const CACHE_DIR = path.join(CACHE_ROOT, "typescript");
const ESBUILD_VERSION = require("esbuild/package.json").version;

/** esbuild's transform options; part of the cache key. Target: package.json engines (node >= 20). */
const OPTIONS = {
  loader: "ts",
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: "inline",
  // tsc with "module": "commonjs" compiles `await import("./aws")` to a require(); so does this.
  supported: { "dynamic-import": false },
};
const OPTIONS_KEY = JSON.stringify({ esbuild: ESBUILD_VERSION, ...OPTIONS });

let esbuild;

/** The CommonJS text of one TypeScript file, from the cache or compiled (and cached) now. */
function compiled(filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = createHash("sha256")
    .update(OPTIONS_KEY)
    .update("\0")
    .update(filename)
    .update("\0")
    .update(source)
    .digest("hex");
  const cached = path.join(CACHE_DIR, key.slice(0, 2), `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // Not cached yet: compile below.
  }
  esbuild ??= require("esbuild");
  const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
  try {
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    // Write then rename: a parallel run never reads half a file.
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  } catch {
    // A read-only checkout still runs, only without the cache.
  }
  return code;
}

Module.enableCompileCache?.(path.join(CACHE_ROOT, "v8"));

Module._extensions[".ts"] = function loadTypeScript(module, filename) {
  module._compile(compiled(filename), filename);
};

/**
 * @pulumi/pulumi requires the TypeScript compiler (typescript.js, about 9 MB) as soon as it loads, for its closure
 * serializer (runtime/closure/parseFunction.js: `const ts = require("../../typescript-shim")` at the top, used
 * only inside functions that serialize JavaScript functions for dynamic providers). The commands never serialize
 * a function, yet paid about a quarter of the SDK's load time for it (profiled on `npm run plan`). So the shim
 * gets a stand-in that loads the real compiler on first use: nothing changes for code that does use it.
 */
const SHIM = path.join("@pulumi", "pulumi", "typescript-shim.js");
const load = Module._load;
Module._load = function loadLazily(request, parent, isMain) {
  if (request !== "typescript" || !parent?.filename?.endsWith(SHIM)) return load.apply(this, arguments);
  let compiler;
  const real = () => (compiler ??= load.call(this, request, parent, isMain));
  return new Proxy(
    {},
    {
      get: (_, key) => real()[key],
      has: (_, key) => key in real(),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Object.getOwnPropertyDescriptor(real(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
};
