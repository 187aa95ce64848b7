// @ts-check
/**
 * Minimal MP4 inspector for tests: lists the top-level boxes and reads moov/mvhd (duration),
 * plus the first video track's size (tkhd) and codec (stsd), and every track (`tracks`): handler
 * (vide/soun), mdhd timescale and duration, sample count (stsz) and the sum of the stts sample deltas,
 * so a test can check that the video and audio tracks both last the clip length and that an audio track
 * really carries samples (`audio`, `hasAudio`). Works on a prefix of a file too: boxes that run past the
 * end of the buffer are listed with `truncated: true`.
 */

/**
 * @typedef {{ type: string, offset: number, size: number, headerSize: number, truncated?: boolean }} Mp4Box
 * @typedef {{ id: number | null, handler: string | null, codec: string | null, timescale: number | null,
 *   duration: number | null, durationSeconds: number | null, sampleCount: number | null, sttsSamples: number | null,
 *   sttsDuration: number | null, sttsSeconds: number | null, width: number | null, height: number | null,
 *   channels: number | null, sampleRate: number | null }} Mp4Track
 * @typedef {{ hasFtyp: boolean, majorBrand: string | null, compatibleBrands: string[],
 *   durationSeconds: number | null, timescale: number | null, width: number | null, height: number | null,
 *   codec: string | null, sampleCount: number | null, boxes: Mp4Box[], tracks: Mp4Track[],
 *   video: Mp4Track | null, audio: Mp4Track | null, hasAudio: boolean }} Mp4Info
 */

/**
 * @param {Buffer} buf @param {number} start @param {number} end
 * @returns {Mp4Box[]}
 */
function listBoxes(buf, start, end) {
	/** @type {Mp4Box[]} */
	const boxes = [];
	let off = start;
	while (off + 8 <= end) {
		let size = buf.readUInt32BE(off);
		const type = buf.toString('latin1', off + 4, off + 8);
		let headerSize = 8;
		if (size === 1) {
			if (off + 16 > end) break;
			size = Number(buf.readBigUInt64BE(off + 8));
			headerSize = 16;
		} else if (size === 0) {
			size = end - off;
		}
		if (size < headerSize) break;
		/** @type {Mp4Box} */
		const b = { type, offset: off, size, headerSize };
		if (off + size > end) b.truncated = true;
		boxes.push(b);
		off += size;
	}
	return boxes;
}

/** @param {Buffer} buf @param {Mp4Box} parent @param {string} type */
function child(buf, parent, type) {
	const end = Math.min(parent.offset + parent.size, buf.length);
	return listBoxes(buf, parent.offset + parent.headerSize, end).find((b) => b.type === type);
}

/**
 * @param {Buffer} buffer whole file or a prefix of it
 * @returns {Mp4Info}
 */
export function inspectMp4(buffer) {
	const buf = Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer);
	const boxes = listBoxes(buf, 0, buf.length);
	/** @type {Mp4Info} */
	const info = {
		hasFtyp: false,
		majorBrand: null,
		compatibleBrands: [],
		durationSeconds: null,
		timescale: null,
		width: null,
		height: null,
		codec: null,
		sampleCount: null,
		boxes,
		tracks: [],
		video: null,
		audio: null,
		hasAudio: false,
	};
	const ftyp = boxes[0] && boxes[0].type === 'ftyp' ? boxes[0] : undefined;
	if (ftyp && !ftyp.truncated) {
		info.hasFtyp = true;
		info.majorBrand = buf.toString('latin1', ftyp.offset + 8, ftyp.offset + 12);
		for (let o = ftyp.offset + 16; o + 4 <= ftyp.offset + ftyp.size; o += 4)
			info.compatibleBrands.push(buf.toString('latin1', o, o + 4));
	}
	const moov = boxes.find((b) => b.type === 'moov' && !b.truncated);
	if (!moov) return info;
	const mvhd = child(buf, moov, 'mvhd');
	if (mvhd) {
		const p = mvhd.offset + mvhd.headerSize;
		const version = buf[p];
		let timescale, duration;
		if (version === 1) {
			timescale = buf.readUInt32BE(p + 20);
			duration = Number(buf.readBigUInt64BE(p + 24));
		} else {
			timescale = buf.readUInt32BE(p + 12);
			duration = buf.readUInt32BE(p + 16);
		}
		info.timescale = timescale;
		info.durationSeconds = timescale ? duration / timescale : null;
	}
	const traks = listBoxes(buf, moov.offset + moov.headerSize, Math.min(moov.offset + moov.size, buf.length)).filter((b) => b.type === 'trak');
	for (const trak of traks) info.tracks.push(readTrack(buf, trak));
	info.video = info.tracks.find((t) => t.handler === 'vide') ?? null;
	info.audio = info.tracks.find((t) => t.handler === 'soun') ?? null;
	info.hasAudio = info.audio !== null;
	const first = info.video ?? info.tracks[0];
	if (first) {
		info.width = first.width;
		info.height = first.height;
		info.codec = first.codec;
		info.sampleCount = first.sampleCount;
	}
	return info;
}

/**
 * @param {Buffer} buf @param {Mp4Box} trak
 * @returns {Mp4Track}
 */
function readTrack(buf, trak) {
	/** @type {Mp4Track} */
	const t = {
		id: null,
		handler: null,
		codec: null,
		timescale: null,
		duration: null,
		durationSeconds: null,
		sampleCount: null,
		sttsSamples: null,
		sttsDuration: null,
		sttsSeconds: null,
		width: null,
		height: null,
		channels: null,
		sampleRate: null,
	};
	const tkhd = child(buf, trak, 'tkhd');
	if (tkhd) {
		const p = tkhd.offset + tkhd.headerSize;
		const v1 = buf[p] === 1;
		t.id = buf.readUInt32BE(p + (v1 ? 20 : 12));
		const wOff = v1 ? 88 : 76;
		t.width = buf.readUInt32BE(p + wOff) / 65536;
		t.height = buf.readUInt32BE(p + wOff + 4) / 65536;
	}
	const mdia = child(buf, trak, 'mdia');
	if (!mdia) return t;
	const mdhd = child(buf, mdia, 'mdhd');
	if (mdhd) {
		const p = mdhd.offset + mdhd.headerSize;
		if (buf[p] === 1) {
			t.timescale = buf.readUInt32BE(p + 20);
			t.duration = Number(buf.readBigUInt64BE(p + 24));
		} else {
			t.timescale = buf.readUInt32BE(p + 12);
			t.duration = buf.readUInt32BE(p + 16);
		}
		t.durationSeconds = t.timescale ? t.duration / t.timescale : null;
	}
	const hdlr = child(buf, mdia, 'hdlr');
	if (hdlr) t.handler = buf.toString('latin1', hdlr.offset + hdlr.headerSize + 8, hdlr.offset + hdlr.headerSize + 12);
	const minf = child(buf, mdia, 'minf');
	const stbl = minf && child(buf, minf, 'stbl');
	if (!stbl) return t;
	const stsd = child(buf, stbl, 'stsd');
	if (stsd) {
		const entry = stsd.offset + stsd.headerSize + 8; // after version/flags + entry_count
		t.codec = buf.toString('latin1', entry + 4, entry + 8);
		if (t.handler === 'soun') {
			// AudioSampleEntry: 8 header + 6 reserved + 2 dref + 8 reserved, then channelcount, samplesize, 4, samplerate
			t.channels = buf.readUInt16BE(entry + 24);
			t.sampleRate = buf.readUInt32BE(entry + 32) >>> 16;
		}
	}
	const stsz = child(buf, stbl, 'stsz');
	if (stsz) t.sampleCount = buf.readUInt32BE(stsz.offset + stsz.headerSize + 8);
	const stts = child(buf, stbl, 'stts');
	if (stts) {
		const p = stts.offset + stts.headerSize;
		const entries = buf.readUInt32BE(p + 4);
		let samples = 0;
		let total = 0;
		for (let i = 0; i < entries; i++) {
			const count = buf.readUInt32BE(p + 8 + i * 8);
			const delta = buf.readUInt32BE(p + 12 + i * 8);
			samples += count;
			total += count * delta;
		}
		t.sttsSamples = samples;
		t.sttsDuration = total;
		t.sttsSeconds = t.timescale ? total / t.timescale : null;
	}
	return t;
}
