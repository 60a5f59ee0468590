/**
 * Loopback hosts: the only places where plain http is acceptable (a development MinIO, the e2e test server),
 * because the writer's credential never leaves the machine.
 */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}
