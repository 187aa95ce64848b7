/**
 * Media facts read from the bytes, not the file name: the type (image, MP4/MOV, WAV, MP3, AAC, M4A)
 * and the length in seconds (MP4/MOV `mvhd`, the WAV header, MP3 and ADTS frames). Used to check a
 * binary input against the provider's limits before any paid request, and to read a result's length.
 */

/** The MIME type the bytes show, or null when they are none of the kinds the providers take. */
export function sniffMediaType(data: Buffer): string | null {
	if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) {
		return 'image/jpeg';
	}
	if (
		data.length >= 8 &&
		data.readUInt32BE(0) === 0x89504e47 &&
		data.readUInt32BE(4) === 0x0d0a1a0a
	) {
		return 'image/png';
	}
	if (data.length >= 12 && ascii(data, 0, 4) === 'RIFF') {
		const form = ascii(data, 8, 12);
		if (form === 'WEBP') return 'image/webp';
		if (form === 'WAVE') return 'audio/wav';
		return null;
	}
	if (data.length >= 12 && ascii(data, 4, 8) === 'ftyp') {
		const brand = ascii(data, 8, 12);
		if (brand === 'qt  ') return 'video/quicktime';
		if (brand === 'M4A ' || brand === 'M4B ') return 'audio/mp4';
		return 'video/mp4';
	}
	if (data.length >= 3 && ascii(data, 0, 3) === 'ID3') return 'audio/mpeg';
	if (data.length >= 2 && data[0] === 0xff) {
		// ADTS AAC: sync word and layer 00; MPEG audio: sync and a layer.
		if ((data[1] & 0xf6) === 0xf0) return 'audio/aac';
		if ((data[1] & 0xe0) === 0xe0 && (data[1] & 0x06) !== 0) return 'audio/mpeg';
	}
	return null;
}

export function mediaKindOf(mimeType: string): 'image' | 'video' | 'audio' | null {
	if (mimeType.startsWith('image/')) return 'image';
	if (mimeType.startsWith('video/')) return 'video';
	if (mimeType.startsWith('audio/')) return 'audio';
	return null;
}

/** The length in seconds of a video or audio file, from its bytes; null when it cannot be told. */
export function mediaSeconds(data: Buffer, mimeType: string): number | null {
	if (mimeType === 'video/mp4' || mimeType === 'video/quicktime' || mimeType === 'audio/mp4') {
		return mp4Seconds(data);
	}
	if (mimeType === 'audio/wav') return wavSeconds(data);
	if (mimeType === 'audio/mpeg') return mp3Seconds(data);
	if (mimeType === 'audio/aac') return adtsSeconds(data);
	return null;
}

function ascii(data: Buffer, start: number, end: number): string {
	return data.toString('latin1', start, end);
}

/** An ISO BMFF box at `offset`: its type, where its payload starts and where it ends. */
function boxAt(
	data: Buffer,
	offset: number,
	end: number,
): { type: string; body: number; end: number } | null {
	if (offset + 8 > end) return null;
	let size = data.readUInt32BE(offset);
	const type = ascii(data, offset + 4, offset + 8);
	let body = offset + 8;
	if (size === 1) {
		if (offset + 16 > end) return null;
		size = Number(data.readBigUInt64BE(offset + 8));
		body = offset + 16;
	} else if (size === 0) {
		size = end - offset;
	}
	if (size < body - offset) return null;
	return { type, body, end: Math.min(offset + size, end) };
}

/** `moov/mvhd`: duration / timescale (version 0: 32-bit fields; version 1: 64-bit). */
export function mp4Seconds(data: Buffer): number | null {
	for (let at = 0, box = boxAt(data, 0, data.length); box; box = boxAt(data, at, data.length)) {
		if (box.type === 'moov') return mvhdSeconds(data, box.body, box.end);
		if (box.end <= at) return null;
		at = box.end;
	}
	return null;
}

function mvhdSeconds(data: Buffer, start: number, end: number): number | null {
	for (let at = start, box = boxAt(data, start, end); box; box = boxAt(data, at, end)) {
		if (box.type === 'mvhd') {
			const version = data[box.body];
			const fields = box.body + 4;
			if (version === 1) {
				if (fields + 28 > box.end) return null;
				const scale = data.readUInt32BE(fields + 16);
				const duration = Number(data.readBigUInt64BE(fields + 20));
				return scale ? duration / scale : null;
			}
			if (fields + 16 > box.end) return null;
			const scale = data.readUInt32BE(fields + 8);
			return scale ? data.readUInt32BE(fields + 12) / scale : null;
		}
		if (box.end <= at) return null;
		at = box.end;
	}
	return null;
}

/** RIFF/WAVE: the `data` chunk's size over the `fmt ` chunk's byte rate. */
export function wavSeconds(data: Buffer): number | null {
	let byteRate = 0;
	for (let at = 12; at + 8 <= data.length; ) {
		const id = ascii(data, at, at + 4);
		const size = data.readUInt32LE(at + 4);
		if (id === 'fmt ' && at + 20 <= data.length) byteRate = data.readUInt32LE(at + 16);
		if (id === 'data') return byteRate ? Math.min(size, data.length - at - 8) / byteRate : null;
		at += 8 + size + (size % 2);
	}
	return null;
}

const MP3_BITRATES = {
	v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
	v2l3: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MP3_RATES: Record<number, number[]> = {
	3: [44100, 48000, 32000],
	2: [22050, 24000, 16000],
	0: [11025, 12000, 8000],
};

/** MPEG audio (Layer III): the frames' samples added up, after an ID3v2 tag. */
export function mp3Seconds(data: Buffer): number | null {
	let at = 0;
	if (ascii(data, 0, 3) === 'ID3' && data.length >= 10) {
		const size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9];
		at = 10 + size;
	}
	let seconds = 0;
	let frames = 0;
	while (at + 4 <= data.length) {
		if (data[at] !== 0xff || (data[at + 1] & 0xe0) !== 0xe0) {
			at++;
			continue;
		}
		const version = (data[at + 1] >> 3) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
		const layer = (data[at + 1] >> 1) & 3; // 1 = Layer III
		const bitrateIndex = data[at + 2] >> 4;
		const rateIndex = (data[at + 2] >> 2) & 3;
		const padding = (data[at + 2] >> 1) & 1;
		const rates = MP3_RATES[version];
		if (
			version === 1 ||
			layer !== 1 ||
			!rates ||
			rateIndex === 3 ||
			bitrateIndex === 0 ||
			bitrateIndex === 15
		) {
			at++;
			continue;
		}
		const rate = rates[rateIndex];
		const kbps = (version === 3 ? MP3_BITRATES.v1l3 : MP3_BITRATES.v2l3)[bitrateIndex];
		const samples = version === 3 ? 1152 : 576;
		const length = Math.floor(((samples / 8) * kbps * 1000) / rate) + padding;
		seconds += samples / rate;
		frames++;
		at += length;
	}
	return frames ? seconds : null;
}

const ADTS_RATES = [
	96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/** ADTS AAC: 1024 samples per raw block. */
export function adtsSeconds(data: Buffer): number | null {
	let seconds = 0;
	let at = 0;
	while (at + 7 <= data.length && data[at] === 0xff && (data[at + 1] & 0xf6) === 0xf0) {
		const rate = ADTS_RATES[(data[at + 2] >> 2) & 0x0f];
		const length = ((data[at + 3] & 3) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5);
		const blocks = (data[at + 6] & 3) + 1;
		if (!rate || length < 7) break;
		seconds += (blocks * 1024) / rate;
		at += length;
	}
	return seconds || null;
}

/**
 * The `mvhd` length of an MP4 read as a stream (the stored result video): top-level boxes are
 * skipped without keeping their bytes; only `moov` is collected. Null when there is none.
 */
export async function mp4SecondsFromStream(chunks: AsyncIterable<unknown>): Promise<number | null> {
	let pending = Buffer.alloc(0);
	let skip = 0;
	let moov: { size: number; parts: Buffer[]; have: number } | null = null;
	for await (const raw of chunks) {
		let chunk = Buffer.from(raw as Buffer);
		if (skip) {
			const skipped = Math.min(skip, chunk.length);
			skip -= skipped;
			chunk = chunk.subarray(skipped);
		}
		if (moov) {
			moov.parts.push(chunk);
			moov.have += chunk.length;
			if (moov.have >= moov.size) {
				const box = Buffer.concat(moov.parts).subarray(0, moov.size);
				return mp4Seconds(box);
			}
			continue;
		}
		pending = Buffer.concat([pending, chunk]);
		while (pending.length >= 16 && !skip) {
			let size = pending.readUInt32BE(0);
			if (size === 1) size = Number(pending.readBigUInt64BE(8));
			const type = ascii(pending, 4, 8);
			if (size < 8) return null;
			if (type === 'moov') {
				if (pending.length >= size) return mp4Seconds(pending.subarray(0, size));
				moov = { size, parts: [pending], have: pending.length };
				pending = Buffer.alloc(0);
				break;
			}
			if (pending.length >= size) {
				pending = pending.subarray(size);
			} else {
				skip = size - pending.length;
				pending = Buffer.alloc(0);
			}
		}
	}
	if (moov) return null;
	return pending.length >= 8 ? mp4Seconds(pending) : null;
}
