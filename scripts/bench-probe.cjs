// Preloaded by scripts/bench.ts into a measured process: at exit, writes its peak RSS and which provider SDKs
// it loaded to the file named by BENCH_PROBE_FILE.
const { writeFileSync } = require("node:fs");
process.on("exit", () => {
  const sdks = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules[\\/]@pulumi[\\/](aws|cloudflare|digitalocean|minio|command|policy)[\\/]/.exec(file);
    if (match) sdks.add(match[1]);
  }
  writeFileSync(
    process.env.BENCH_PROBE_FILE,
    JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, sdks: [...sdks].sort() }),
  );
});
