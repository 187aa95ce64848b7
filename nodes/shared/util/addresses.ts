import { parseUrl } from './parse';

/**
 * Whether a URL that arrived in an unverified callback body may be fetched: http(s) only, and not
 * to a host that names this machine or its network. The check is on the URL as WHATWG `new URL()`
 * normalises it (the form the HTTP client connects to): `http://2130706433/`, `http://0x7f.1/` and
 * `http://127.1/` are all `127.0.0.1`; `[::ffff:127.0.0.1]` is `[::ffff:7f00:1]`. Node code here
 * cannot resolve names, so a public name that resolves to a private address is not caught (README,
 * "Callback safety").
 */

/** IPv4 ranges that are not the public internet: [first address, prefix length]. */
const PRIVATE_V4: Array<[string, number]> = [
	['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches this host
	['10.0.0.0', 8], // private
	['100.64.0.0', 10], // carrier-grade NAT
	['127.0.0.0', 8], // loopback
	['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
	['172.16.0.0', 12], // private
	['192.0.0.0', 24], // IETF protocol assignments
	['192.168.0.0', 16], // private
	['198.18.0.0', 15], // benchmarking
	['224.0.0.0', 4], // multicast
	['240.0.0.0', 4], // reserved, broadcast
];

/** Names that point into this machine or its network (matched with and without a trailing dot). */
const PRIVATE_NAMES = ['localhost', 'metadata.google.internal'];
const PRIVATE_SUFFIXES = ['.localhost', '.local', '.internal'];

/**
 * Why `url` is refused, as the end of a sentence about the URL ("is not an http(s) URL (file)",
 * "points to a private address (127.0.0.1)"), or null when it may be fetched. `trustedHost` (host[:port] as `URL.host`
 * gives it, e.g. the credential's Base URL host) is allowed even when it is a private address: a
 * proxy or the emulator on 127.0.0.1 serves its own videos.
 */
export function refusedUrlReason(url: string, trustedHost: string | null = null): string | null {
	const parsed = parseUrl(url);
	if (!parsed) return 'is not a valid URL';
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		return `is not an http(s) URL (${parsed.protocol.replace(/:$/, '')})`;
	}
	if (trustedHost !== null && parsed.host.toLowerCase() === trustedHost.toLowerCase()) return null;
	if (isPrivateHost(parsed.hostname)) return `points to a private address (${parsed.hostname})`;
	return null;
}

/**
 * Whether a hostname (as `URL.hostname` gives it: IPv6 in brackets, IPv4 in dotted form) names a
 * loopback, private, link-local or otherwise non-public address, or a local-only name. Names
 * without a dot (`intranet`) are local too: a search domain decides where they go.
 */
export function isPrivateHost(hostname: string): boolean {
	const host = hostname.toLowerCase().replace(/\.+$/, '');
	if (host.startsWith('[') && host.endsWith(']')) {
		const groups = ipv6Groups(host.slice(1, -1));
		return groups === null || isPrivateV6(groups);
	}
	const v4 = ipv4Number(host);
	if (v4 !== null) return isPrivateV4(v4);
	if (host === '' || !host.includes('.')) return true;
	if (PRIVATE_NAMES.includes(host)) return true;
	return PRIVATE_SUFFIXES.some((suffix) => host.endsWith(suffix));
}

/** Dotted-quad IPv4 as a number, or null when the text is not one. */
function ipv4Number(text: string): number | null {
	const parts = text.split('.');
	if (parts.length !== 4) return null;
	let value = 0;
	for (const part of parts) {
		if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
		value = value * 256 + Number(part);
	}
	return value;
}

function isPrivateV4(address: number): boolean {
	return PRIVATE_V4.some(([first, bits]) => {
		const base = ipv4Number(first) as number;
		const size = 2 ** (32 - bits);
		return address >= base && address < base + size;
	});
}

/** The eight 16-bit groups of an IPv6 address (`::` and a dotted IPv4 tail allowed), or null. */
function ipv6Groups(text: string): number[] | null {
	let body = text;
	const tail: number[] = [];
	const lastColon = body.lastIndexOf(':');
	if (lastColon === -1) return null;
	if (body.slice(lastColon + 1).includes('.')) {
		const v4 = ipv4Number(body.slice(lastColon + 1));
		if (v4 === null) return null;
		tail.push(Math.floor(v4 / 65536), v4 % 65536);
		body = body.slice(0, lastColon);
		// `::1.2.3.4`: the cut took one colon of the `::`.
		if (body.endsWith(':')) body += ':';
	}
	const halves = body.split('::');
	if (halves.length > 2) return null;
	const read = (half: string) => (half === '' ? [] : half.split(':'));
	const head = read(halves[0]);
	const rest = halves.length === 2 ? read(halves[1]) : [];
	const words = [...head, ...rest];
	if (!words.every((word) => /^[0-9a-f]{1,4}$/.test(word))) return null;
	const missing = 8 - tail.length - words.length;
	if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
	const zeros = new Array<number>(halves.length === 2 ? missing : 0).fill(0);
	const parse = (list: string[]) => list.map((word) => parseInt(word, 16));
	return [...parse(head), ...zeros, ...parse(rest), ...tail];
}

function isPrivateV6(groups: number[]): boolean {
	const embeddedV4 = (high: number, low: number) => isPrivateV4(high * 65536 + low);
	const [g0, g1, g2, g3, g4, g5, g6, g7] = groups;
	const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
	// ::/128, ::1 and the deprecated IPv4-compatible ::a.b.c.d (0.0.0.0/8 covers :: and ::1).
	if (firstFiveZero && g5 === 0) return embeddedV4(g6, g7);
	// IPv4-mapped ::ffff:a.b.c.d: the connection goes to the IPv4 address.
	if (firstFiveZero && g5 === 0xffff) return embeddedV4(g6, g7);
	// NAT64 64:ff9b::a.b.c.d.
	if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
		return embeddedV4(g6, g7);
	}
	// 6to4 2002:aabb:ccdd::/48 carries an IPv4 address.
	if (g0 === 0x2002) return embeddedV4(g1, g2);
	if ((g0 & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
	if ((g0 & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
	if ((g0 & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated)
	if ((g0 & 0xff00) === 0xff00) return true; // ff00::/8 multicast
	return false;
}
