// @ts-check
/**
 * The address check for video URLs that arrive in unverified callback bodies
 * (nodes/shared/util/addresses.ts). URLs are judged as WHATWG `new URL()` normalises them, which is
 * also what the HTTP client connects to, so every spelling of a private address must be caught.
 */
import { describe, expect, test } from '@jest/globals';
import { dist } from './helpers.mjs';

const { refusedUrlReason, isPrivateHost } = dist('shared/util/addresses');

describe('refusedUrlReason: private and local addresses are refused', () => {
	test.each([
		// IPv4 private, loopback, link-local, CGNAT, "this network", multicast, broadcast
		'http://10.0.0.1/v.mp4',
		'http://10.255.255.255/v.mp4',
		'http://172.16.0.1/v.mp4',
		'http://172.31.255.254/v.mp4',
		'http://192.168.1.10/v.mp4',
		'http://127.0.0.1/v.mp4',
		'http://127.8.9.10:8080/v.mp4',
		'http://0.0.0.0/v.mp4',
		'http://0/v.mp4',
		'http://100.64.0.1/v.mp4',
		'http://100.127.255.255/v.mp4',
		'http://169.254.169.254/latest/meta-data/',
		'http://169.254.0.5/v.mp4',
		'http://224.0.0.1/v.mp4',
		'http://255.255.255.255/v.mp4',
		// IPv4 spellings WHATWG URL normalises to 127.0.0.1 / 10.0.0.1
		'http://2130706433/v.mp4',
		'http://0x7f.1/v.mp4',
		'http://0x7f000001/v.mp4',
		'http://0177.0.0.1/v.mp4',
		'http://127.1/v.mp4',
		'http://127.0.0.1./v.mp4',
		'http://%31%32%37.0.0.1/v.mp4',
		'http://012.0.0.1/v.mp4',
		'http://167772161/v.mp4',
		// IPv6 loopback, unspecified, unique local, link-local, site-local, multicast
		'http://[::1]/v.mp4',
		'http://[::]/v.mp4',
		'http://[0:0:0:0:0:0:0:1]/v.mp4',
		'http://[fc00::1]/v.mp4',
		'http://[fd12:3456:789a::1]/v.mp4',
		'http://[fe80::1]/v.mp4',
		'http://[febf::1]/v.mp4',
		'http://[fec0::1]/v.mp4',
		'http://[ff02::1]/v.mp4',
		// IPv4 inside IPv6: mapped, compatible, NAT64, 6to4
		'http://[::ffff:127.0.0.1]/v.mp4',
		'http://[::ffff:7f00:1]/v.mp4',
		'http://[::ffff:10.0.0.1]/v.mp4',
		'http://[0:0:0:0:0:ffff:a9fe:a9fe]/v.mp4',
		'http://[::127.0.0.1]/v.mp4',
		'http://[64:ff9b::10.0.0.1]/v.mp4',
		'http://[2002:a9fe:a9fe::1]/v.mp4',
		// names
		'http://localhost/v.mp4',
		'http://LOCALHOST./v.mp4',
		'http://api.localhost/v.mp4',
		'http://printer.local/v.mp4',
		'http://metadata.google.internal/computeMetadata/v1/',
		'http://intranet/v.mp4',
		'https://10.1.2.3:8443/v.mp4',
	])('%s', (url) => {
		expect(refusedUrlReason(url)).toMatch(/^points to a private address \(/);
	});
});

describe('refusedUrlReason: public addresses and names are allowed', () => {
	test.each([
		'https://cdn.example.com/v.mp4',
		'https://storage.googleapis.com/bucket/v.mp4',
		'http://8.8.8.8/v.mp4',
		'http://172.15.255.255/v.mp4',
		'http://172.32.0.1/v.mp4',
		'http://100.63.255.255/v.mp4',
		'http://100.128.0.1/v.mp4',
		'http://169.253.255.255/v.mp4',
		'http://192.169.0.1/v.mp4',
		'http://11.0.0.1/v.mp4',
		'http://[2001:4860:4860::8888]/v.mp4',
		'http://[::ffff:8.8.8.8]/v.mp4',
		'http://[2002:808:808::1]/v.mp4',
		'https://localhost.example.com/v.mp4',
		'https://local.example.com/v.mp4',
	])('%s', (url) => {
		expect(refusedUrlReason(url)).toBeNull();
	});
});

describe('refusedUrlReason: other refusals and the trusted host', () => {
	test.each([
		['file:///etc/passwd', /not an http\(s\) URL \(file\)/],
		['ftp://cdn.example.com/v.mp4', /not an http\(s\) URL \(ftp\)/],
		['gopher://127.0.0.1:6379/_x', /not an http\(s\) URL/],
		['not a url', /not a valid URL/],
		['', /not a valid URL/],
	])('%s is refused', (url, reason) => {
		expect(refusedUrlReason(url)).toMatch(reason);
	});

	test('the trusted host (the Base URL host) is allowed, another port on it is not', () => {
		expect(refusedUrlReason('http://127.0.0.1:4010/kie/v.mp4', '127.0.0.1:4010')).toBeNull();
		expect(refusedUrlReason('http://127.0.0.1:6379/', '127.0.0.1:4010')).toMatch(/private/);
		expect(refusedUrlReason('http://localhost:4010/v.mp4', '127.0.0.1:4010')).toMatch(/private/);
		expect(refusedUrlReason('http://2130706433:4010/v.mp4', '127.0.0.1:4010')).toBeNull();
		expect(refusedUrlReason('https://CDN.Example.com/v.mp4', 'cdn.example.com')).toBeNull();
	});

	test('the reason names the host as the URL normalises it', () => {
		expect(refusedUrlReason('http://0x7f.1/v.mp4')).toBe('points to a private address (127.0.0.1)');
		expect(refusedUrlReason('http://[::ffff:127.0.0.1]/')).toBe(
			'points to a private address ([::ffff:7f00:1])',
		);
	});
});

describe('isPrivateHost: hostnames outside a URL', () => {
	test.each([
		['[::ffff:192.168.0.1]', true],
		['[1:2:3:4:5:6:7:8]', false],
		['[1:2:3:4:5:6:7:8:9]', true], // not an address: refused rather than guessed
		['[::g]', true],
		['', true],
		['example.com', false],
		['example.com.', false],
	])('%s → %s', (host, expected) => {
		expect(isPrivateHost(host)).toBe(expected);
	});
});
