import * as pulumi from "@pulumi/pulumi";
import { local } from "@pulumi/command";
import type { DnsRecordSpec } from "./contract";

/** The lines shown to the user, one record each: what to create and why. */
export function renderDnsNotice(records: readonly DnsRecordSpec[]): string {
  return records.map((r) => `Create the DNS record ${r.name} ${r.type} ${r.value} (${r.purpose}).\n`).join("");
}

/**
 * Shows DNS records the user must create by hand, as soon as they are known, ONCE: a command that prints them
 * runs when it is created and again only when a record changes (a changed `stdin` is an update), never on an
 * unchanged `pulumi up`, unlike a log call in the program. Stack outputs appear only at the end of an update,
 * too late for a record the update itself is waiting for (certificate validation).
 * Nothing secret: DNS records are public.
 */
export function createDnsNotice(
  name: string,
  records: pulumi.Input<DnsRecordSpec[]>,
  parent: pulumi.Resource,
  dependsOn: pulumi.Resource[] = [],
): local.Command {
  return new local.Command(
    name,
    {
      create: "cat",
      stdin: pulumi.output(records).apply(renderDnsNotice),
      // Shown while `pulumi up` runs, as the resource's diagnostics.
      logging: "stdout",
      addPreviousOutputInEnv: false,
    },
    { parent, dependsOn },
  );
}
