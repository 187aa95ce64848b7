// @ts-check
/**
 * Minimal MP4 inspector for tests: lists the top-level boxes and reads moov/mvhd (duration),
 * plus the first video track's size (tkhd) and codec (stsd). Works on a prefix of a file too:
 * boxes that run past the end of the buffer are listed with `truncated: true`.
 */

/**
 * @typedef {{ type: string, offset: number, size: number, headerSize: number, truncated?: boolean }} Mp4Box
 * @typedef {{ hasFtyp: boolean, majorBrand: string | null, compatibleBrands: string[],
 *   durationSeconds: number | null, timescale: number | null, width: number | null, height: number | null,
 *   codec: string | null, sampleCount: number | null, boxes: Mp4Box[] }} Mp4Info
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
	const trak = child(buf, moov, 'trak');
	if (trak) {
		const tkhd = child(buf, trak, 'tkhd');
		if (tkhd) {
			const p = tkhd.offset + tkhd.headerSize;
			const wOff = buf[p] === 1 ? 88 : 76;
			info.width = buf.readUInt32BE(p + wOff) / 65536;
			info.height = buf.readUInt32BE(p + wOff + 4) / 65536;
		}
		const mdia = child(buf, trak, 'mdia');
		const minf = mdia && child(buf, mdia, 'minf');
		const stbl = minf && child(buf, minf, 'stbl');
		const stsd = stbl && child(buf, stbl, 'stsd');
		if (stsd)
			info.codec = buf.toString(
				'latin1',
				stsd.offset + stsd.headerSize + 12,
				stsd.offset + stsd.headerSize + 16,
			);
		const stsz = stbl && child(buf, stbl, 'stsz');
		if (stsz) info.sampleCount = buf.readUInt32BE(stsz.offset + stsz.headerSize + 8);
	}
	return info;
}
