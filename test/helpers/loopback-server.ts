import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A real HTTP server on 127.0.0.1 at a free port the kernel picks, for tests that play a storage or a media host
 * with `handler`. Resolves once it listens, with `host` ("127.0.0.1:PORT"), `url` ("http://127.0.0.1:PORT", no
 * trailing slash), and `close()`, which resolves once the server has stopped.
 */
export interface LoopbackServer {
  server: http.Server;
  host: string;
  url: string;
  close: () => Promise<void>;
}

export async function listenOnLoopback(handler?: http.RequestListener): Promise<LoopbackServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    host,
    url: `http://${host}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
