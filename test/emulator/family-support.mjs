// @ts-check
/**
 * Shared checks for the Kling-family emulator tests: download a result and verify with the MP4 box reader
 * (test/support/mp4.mjs, independent of the emulator's writer) that the video track lasts the clip length and that
 * an audio track is present exactly when expected (same length, > 0 samples).
 */
import { expect } from '@jest/globals';
import { inspectMp4 } from '../support/mp4.mjs';
import { download } from '../support/emulator-helpers.mjs';

/**
 * @param {string} url @param {{ duration: number, audio: boolean, width?: number, height?: number }} want
 * @returns {Promise<import('../support/mp4.mjs').Mp4Info>}
 */
export async function expectVideo(url, want) {
	const file = await download(url);
	expect(file.status).toBe(200);
	expect(file.headers.get('content-type')).toBe('video/mp4');
	expect(Number(file.headers.get('content-length'))).toBe(file.body.length);
	const info = inspectMp4(file.body);
	expect(info.hasFtyp).toBe(true);
	expect(info.durationSeconds).toBe(want.duration);
	expect(info.video).toMatchObject({ handler: 'vide', codec: 'avc1', durationSeconds: want.duration, sttsSeconds: want.duration, sampleCount: want.duration });
	if (want.width !== undefined) expect([info.width, info.height]).toEqual([want.width, want.height]);
	if (want.audio) {
		expect(info.audio).toMatchObject({ handler: 'soun', codec: 'mp4a', durationSeconds: want.duration, sttsSeconds: want.duration });
		expect(info.audio?.sampleCount).toBeGreaterThan(0);
		expect(info.tracks).toHaveLength(2);
	} else {
		expect(info.audio).toBeNull();
		expect(info.tracks).toHaveLength(1);
	}
	expect(file.body.length).toBeLessThan(16 * 1024); // small: downloaded hundreds of times in tests
	return info;
}

/** @param {number} n @returns {string} */
export const longText = (n) => 'x'.repeat(n);
