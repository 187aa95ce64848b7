// @ts-check
/**
 * Media facts read from the bytes (nodes/shared/util/media.ts): the type whatever the name says, and the
 * length from MP4/MOV `mvhd`, the WAV header, MP3 and ADTS frames — what binary inputs are checked with
 * before any paid request, and what `outputDurationS` is read with from the stored MP4 (streamed).
 */
import { describe, expect, test } from '@jest/globals';
import { buildMp4, makeMp3, makePng, makeWav } from '../emulator/core/media.mjs';
import { dist } from './helpers.mjs';

const { sniffMediaType, mediaSeconds, mp4SecondsFromStream } = dist('shared/util/media');

/** The top-level boxes of an MP4. @param {Buffer} mp4 */
function boxes(mp4) {
	const out = [];
	for (let at = 0; at < mp4.length; ) {
		const size = mp4.readUInt32BE(at);
		out.push({ type: mp4.toString('latin1', at + 4, at + 8), data: mp4.subarray(at, at + size) });
		at += size;
	}
	return out;
}

/** @param {Buffer} data @param {number} size */
async function* chunks(data, size) {
	for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

describe('type from the bytes', () => {
	test.each([
		['MP4', () => buildMp4(5), 'video/mp4'],
		['WAV', () => makeWav(2), 'audio/wav'],
		['MP3 with ID3', () => makeMp3(2), 'audio/mpeg'],
		['PNG', () => makePng(4, 4, [0, 0, 0]), 'image/png'],
		['text', () => Buffer.from('hello, I am not a video'), null],
	])('%s', (_name, make, type) => {
		expect(sniffMediaType(make())).toBe(type);
	});

	test('QuickTime and M4A brands', () => {
		const mp4 = buildMp4(3);
		const mov = Buffer.from(mp4);
		mov.write('qt  ', 8, 'latin1');
		const m4a = Buffer.from(mp4);
		m4a.write('M4A ', 8, 'latin1');
		expect([sniffMediaType(mov), sniffMediaType(m4a)]).toEqual(['video/quicktime', 'audio/mp4']);
	});
});

describe('length from the bytes', () => {
	test.each([3, 8, 12, 35])('MP4 of %d s (mvhd)', (seconds) => {
		expect(mediaSeconds(buildMp4(seconds, '16:9', true), 'video/mp4')).toBe(seconds);
	});
	test.each([1, 5, 30])('WAV of %d s (data size / byte rate)', (seconds) => {
		expect(mediaSeconds(makeWav(seconds), 'audio/wav')).toBe(seconds);
	});
	test.each([6, 12])('MP3 of %d s (frames counted after the ID3 tag)', (seconds) => {
		expect(mediaSeconds(makeMp3(seconds), 'audio/mpeg')).toBeCloseTo(seconds, 5);
	});
	test('a file cut before its moov has no length', () => {
		const mp4 = buildMp4(5);
		const moov = boxes(mp4).find((box) => box.type === 'moov');
		const cut = mp4.subarray(0, mp4.indexOf(/** @type {Buffer} */ (moov?.data)));
		expect(mediaSeconds(cut, 'video/mp4')).toBeNull();
	});
});

describe('outputDurationS from a stream: only moov is kept, wherever it sits', () => {
	test.each([7, 64, 4096])('moov after mdat, chunks of %d bytes', async (size) => {
		const mp4 = buildMp4(9, '9:16', true);
		const list = boxes(mp4);
		const moovLast = Buffer.concat([
			...list.filter((box) => box.type !== 'moov').map((box) => box.data),
			.../** @type {Buffer[]} */ (list.filter((box) => box.type === 'moov').map((box) => box.data)),
		]);
		expect(list.map((box) => box.type)).toContain('mdat');
		expect(await mp4SecondsFromStream(chunks(moovLast, size))).toBe(9);
		expect(await mp4SecondsFromStream(chunks(mp4, size))).toBe(9);
	});
	test('not an MP4: null', async () => {
		expect(await mp4SecondsFromStream(chunks(makeWav(1), 100))).toBeNull();
	});
});
