/**
 * Which addresses a read may connect to. A connection's host, a pointer's next URL and an OAuth
 * token URL all come from tenants, so without a policy any token holder could make the server call
 * its own network (SSRF): the cloud metadata service at 169.254.169.254 hands out credentials.
 * - `any`: no restriction (a CLI on a laptop reading a local mock).
 * - `no-link-local` (the default): everything but link-local addresses, where metadata services live.
 * - `public`: public unicast addresses only; loopback, private, CGNAT, link-local, unique-local,
 *   unspecified, multicast and broadcast addresses are refused.
 * The check runs on the address actually connected to, after DNS (IPv4-mapped IPv6 included), so a
 * name that resolves inside, or re-resolves there later, is refused too.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { BlockList, isIP } from "node:net";
import { buildConnector } from "undici";
import { EngineError } from "../errors.ts";

export const egressPolicies = ["any", "no-link-local", "public"] as const;
export type EgressPolicy = (typeof egressPolicies)[number];

const linkLocal = new BlockList();
linkLocal.addSubnet("169.254.0.0", 16, "ipv4");
linkLocal.addSubnet("fe80::", 10, "ipv6");

const nonPublic: ReadonlyArray<readonly [string, number, "ipv4" | "ipv6", string]> = [
  ["0.0.0.0", 8, "ipv4", "an unspecified address"],
  ["10.0.0.0", 8, "ipv4", "a private address"],
  ["100.64.0.0", 10, "ipv4", "a carrier-grade NAT address"],
  ["127.0.0.0", 8, "ipv4", "a loopback address"],
  ["172.16.0.0", 12, "ipv4", "a private address"],
  ["192.168.0.0", 16, "ipv4", "a private address"],
  ["224.0.0.0", 4, "ipv4", "a multicast address"],
  ["240.0.0.0", 4, "ipv4", "a reserved or broadcast address"],
  ["::", 128, "ipv6", "an unspecified address"],
  ["::1", 128, "ipv6", "a loopback address"],
  ["fc00::", 7, "ipv6", "a unique-local address"],
  ["ff00::", 8, "ipv6", "a multicast address"],
];
const nonPublicLists = nonPublic.map(([network, prefix, family, reason]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, reason };
});

/** Why `address` (an IP literal) may not be connected to under `policy`; undefined when it may. */
export function egressRefusal(address: string, policy: EgressPolicy): string | undefined {
  if (policy === "any") return undefined;
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  if (linkLocal.check(address, family)) return "a link-local address (where cloud metadata services answer)";
  if (policy === "no-link-local") return undefined;
  return nonPublicLists.find(({ list }) => list.check(address, family))?.reason;
}

function refused(host: string, address: string, reason: string, policy: EgressPolicy): EngineError {
  const via = host === address ? address : `${host} (${address})`;
  return new EngineError(
    "network",
    `Connecting to ${via} was refused: ${reason}, and the egress policy is "${policy}"`,
  );
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup, minus the addresses the policy refuses (an error when none is left). */
function guardedLookup(policy: EgressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = addresses.filter(({ address }) => egressRefusal(address, policy) === undefined);
      const first = addresses[0];
      if (allowed.length === 0 && first) {
        const reason = egressRefusal(first.address, policy) as string;
        return callback(refused(hostname, first.address, reason, policy) as NodeJS.ErrnoException, []);
      }
      if (options.all) return callback(null, allowed);
      const chosen = allowed[0] as LookupAddress;
      callback(null, chosen.address, chosen.family);
    });
  };
}

/** undici's `connect` option: the plain connector under `any`, else one that checks every address. */
export function egressConnector(
  policy: EgressPolicy,
  timeoutMs: number,
): buildConnector.connector | { timeout: number } {
  if (policy === "any") return { timeout: timeoutMs };
  const connect = buildConnector({ timeout: timeoutMs, lookup: guardedLookup(policy) } as buildConnector.BuildOptions);
  return (options, callback) => {
    // IP literals are not looked up, so they are checked here; URL hosts keep IPv6's brackets.
    const host = options.hostname.replace(/^\[(.*)\]$/, "$1");
    const reason = isIP(host) ? egressRefusal(host, policy) : undefined;
    if (reason !== undefined) {
      callback(refused(host, host, reason, policy), null);
      return;
    }
    connect(options, callback);
  };
}
