// @ts-check
/**
 * Media the emulator serves, built in plain JS at run time (no ffmpeg needed):
 *  - PNG test images (node:zlib deflate),
 *  - real, playable MP4 files (H.264 baseline, 1 fps, one IDR frame repeated) of any whole number of seconds
 *    (3–30 s for the Kling family), with an optional AAC-LC audio track of digital silence,
 *  - a large-file mode that pads the MP4 with a trailing `free` box and streams it in chunks,
 *  - magic-byte sniffing for uploads,
 *  - input samples for the capabilities beyond text/image to video (KLING-MODELS.md §1b, §6, §7): 720p MP4s
 *    (`buildMp4(…, { hd: true })`), WAV (PCM tone) and MP3 (MPEG-1 Layer III, silent frames) files of known lengths,
 *  - `probeMedia`: the emulator's own reader of what an input holds (MP4/M4A `mvhd` + track handlers and sizes,
 *    WAV header, MP3 frame headers, PNG/JPEG size), used to check documented input limits and to decide output lengths.
 * Durations: whole seconds as before; a fractional length (an uploaded 4.3 s WAV drives a 4.3 s avatar clip) is kept
 * to the millisecond (the last video sample is shorter; the audio track has exactly the same length).
 */
import zlib from 'node:zlib';

/* ------------------------------------------------------------------ CRC32 */

/** @type {Uint32Array | undefined} */
let crcTable;
/** @param {Buffer} buf @param {number} [crc] */
export function crc32(buf, crc = 0) {
	if (!crcTable) {
		crcTable = new Uint32Array(256);
		for (let n = 0; n < 256; n++) {
			let c = n;
			for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			crcTable[n] = c >>> 0;
		}
	}
	let c = (crc ^ 0xffffffff) >>> 0;
	for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

/* ------------------------------------------------------------------ PNG */

/** @param {string} type @param {Buffer} data */
function pngChunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}

/**
 * A solid-colour RGB PNG with a diagonal stripe (so start and end frames differ visibly).
 * @param {number} width @param {number} height @param {[number, number, number]} rgb
 * @param {number} [padBytes] extra bytes in a private ancillary chunk (`emUp`) to make big files
 */
export function makePng(width, height, rgb, padBytes = 0) {
	const raw = Buffer.alloc((width * 3 + 1) * height);
	for (let y = 0; y < height; y++) {
		const row = y * (width * 3 + 1);
		raw[row] = 0; // filter: none
		for (let x = 0; x < width; x++) {
			const stripe = Math.abs(x - y) < 12;
			const o = row + 1 + x * 3;
			raw[o] = stripe ? 255 - rgb[0] : rgb[0];
			raw[o + 1] = stripe ? 255 - rgb[1] : rgb[1];
			raw[o + 2] = stripe ? 255 - rgb[2] : rgb[2];
		}
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // colour type RGB
	ihdr[10] = 0;
	ihdr[11] = 0;
	ihdr[12] = 0;
	const parts = [
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', ihdr),
		pngChunk('IDAT', zlib.deflateSync(raw)),
	];
	if (padBytes > 0) parts.push(pngChunk('emUp', Buffer.alloc(padBytes, 0x20)));
	parts.push(pngChunk('IEND', Buffer.alloc(0)));
	return Buffer.concat(parts);
}

/* ------------------------------------------------------------------ sniffing */

/**
 * Sniff a file's type from its magic bytes.
 * @param {Buffer} buf
 * @returns {{ mime: string, kind: 'image'|'video'|'audio'|'other' }}
 */
export function sniff(buf) {
	const b = buf;
	if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return { mime: 'image/png', kind: 'image' };
	if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { mime: 'image/jpeg', kind: 'image' };
	if (b.length >= 12 && b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WEBP') return { mime: 'image/webp', kind: 'image' };
	if (b.length >= 6 && (b.toString('ascii', 0, 6) === 'GIF87a' || b.toString('ascii', 0, 6) === 'GIF89a')) return { mime: 'image/gif', kind: 'image' };
	if (b.length >= 12 && b.toString('ascii', 4, 8) === 'ftyp') {
		const brand = b.toString('ascii', 8, 12);
		if (brand === 'qt  ') return { mime: 'video/quicktime', kind: 'video' };
		if (brand.startsWith('M4A')) return { mime: 'audio/mp4', kind: 'audio' };
		return { mime: 'video/mp4', kind: 'video' };
	}
	if (b.length >= 4 && b.readUInt32BE(0) === 0x1a45dfa3) return { mime: 'video/webm', kind: 'video' };
	if (b.length >= 3 && b.toString('ascii', 0, 3) === 'ID3') return { mime: 'audio/mpeg', kind: 'audio' };
	if (b.length >= 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0) return { mime: 'audio/mpeg', kind: 'audio' };
	if (b.length >= 12 && b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WAVE') return { mime: 'audio/wav', kind: 'audio' };
	return { mime: 'application/octet-stream', kind: 'other' };
}

/* ------------------------------------------------------------------ MP4 */

/*
 * One H.264 (baseline, level 3.0) IDR frame per aspect ratio, Annex-B (SPS + PPS + IDR slice), a
 * solid blue picture. Generated once with ffmpeg 5.1 (Debian 12) and pasted here; not needed at run time:
 *   ffmpeg -f lavfi -i "color=c=0x3060c0:s=320x180:d=1:r=1" -frames:v 1 -c:v libx264 \
 *     -profile:v baseline -level 3.0 -pix_fmt yuv420p \
 *     -x264-params "keyint=1:scenecut=0:aud=0:repeat-headers=1" \
 *     -bsf:v filter_units=remove_types=6 -f h264 frame.h264 ; base64 -w0 frame.h264
 * (same for s=180x320, s=240x240 and s=336x144 for 21:9). remove_types=6 strips the x264 SEI text.
 */
const FRAMES = {
	'16:9': { width: 320, height: 180, annexB: 'AAAAAWdCwB7cFBn58BEAAAMAAQAAAwACDxYvgAAAAAFozg8sgAAAAWWIhAS8RigACbbHAAE1aOAAI68nJycnJycnJycnJycnJycnJycnXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXgA==' },
	'9:16': { width: 180, height: 320, annexB: 'AAAAAWdCwB7cMCnn8BEAAAMAAQAAAwACDxYvgAAAAAFozg8sgAAAAWWIhAS8RigACbbHAAE1aOAAI68nJycnJycnJycnJ1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111114A=' },
	'21:9': { width: 336, height: 144, annexB: 'AAAAAWdCwB7cFROwEQAAAwABAAADAAIPFi+AAAAAAWjODyyAAAABZYiEBLxGKAAJtscAATVo4AAjrycnJycnJycnJycnJycnJycnJycnXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXgA==' },
	'1:1': { width: 240, height: 240, annexB: 'AAAAAWdCwB7cPH7ARAAAAwAEAAADAAg8WL4AAAABaM4PLIAAAAFliIQEvEYoAAm2xwABNWjgACOvJycnJycnJycnJycnJyddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddeA==' },
};

/*
 * 720p frames for the sample input videos (lip-sync, edit and omni inputs must be 720p/1080p or ≥ 700 px on
 * several providers), same recipe: s=1280x720 and s=720x1280, -level 3.1.
 */
const FRAMES_HD = {
	'16:9': { width: 1280, height: 720, annexB: 'AAAAAWdCwB/cBQBbsBEAAAMAAQAAAwACDxgzgAAAAAFozg8sgAAAAWWIhAS8RigACbbHAAE1aOAAI68nJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXgA==' },
	'9:16': { width: 720, height: 1280, annexB: 'AAAAAWdCwB/cC0ChsBEAAAMAAQAAAwACDxgzgAAAAAFozg8sgAAAAWWIhAS8RigACbbHAAE1aOAAI68nJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJ1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111114A==' },
};

/** @param {Buffer} buf @returns {Buffer[]} NAL units without start codes */
function splitAnnexB(buf) {
	/** @type {number[]} */
	const starts = [];
	for (let i = 0; i + 3 <= buf.length; i++) {
		if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
			starts.push(i + 3);
			i += 2;
		}
	}
	/** @type {Buffer[]} */
	const nals = [];
	for (let k = 0; k < starts.length; k++) {
		let end = k + 1 < starts.length ? starts[k + 1] - 3 : buf.length;
		while (end > starts[k] && buf[end - 1] === 0) end--; // drop the leading 0 of a 4-byte start code
		nals.push(buf.subarray(starts[k], end));
	}
	return nals;
}

/** @param {string} type @param {...Buffer} payload */
function box(type, ...payload) {
	const body = Buffer.concat(payload);
	const head = Buffer.alloc(8);
	head.writeUInt32BE(body.length + 8, 0);
	head.write(type, 4, 'ascii');
	return Buffer.concat([head, body]);
}
/** @param {string} type @param {number} version @param {number} flags @param {...Buffer} payload */
function fullBox(type, version, flags, ...payload) {
	const vf = Buffer.alloc(4);
	vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff));
	return box(type, vf, ...payload);
}
/** @param {number[]} values */
function u32(...values) {
	const b = Buffer.alloc(values.length * 4);
	values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
	return b;
}
/** @param {number[]} values */
function u16(...values) {
	const b = Buffer.alloc(values.length * 2);
	values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, i * 2));
	return b;
}
const MATRIX = u32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);

/** @type {Map<string, Buffer>} */
const mp4Cache = new Map();

/*
 * Audio: one AAC-LC raw frame of digital silence (mono, 8 kHz, 1024 samples per frame), taken from
 *   ffmpeg -f lavfi -i "anullsrc=r=8000:cl=mono" -t 3 -c:a aac -b:a 8k -f adts a.aac
 * (every frame after the first, an encoder tag, is these 4 bytes). Repeated, it decodes to silence; the track
 * is ~4 bytes per 0.128 s, so a 30 s clip carries < 1 KB of audio.
 */
const AAC_SILENT_FRAME = Buffer.from('01182007', 'hex');
const AUDIO_RATE = 8000;
const AAC_FRAME_SAMPLES = 1024;
/** AudioSpecificConfig: object type 2 (AAC LC), sampling index 11 (8000 Hz), channel configuration 1 (mono). */
const AAC_ASC = Buffer.from([0x15, 0x88]);

/** An MPEG-4 descriptor (tag + one-byte length; every descriptor here is < 128 bytes). @param {number} tag @param {...Buffer} payload */
function descriptor(tag, ...payload) {
	const body = Buffer.concat(payload);
	return Buffer.concat([Buffer.from([tag, body.length]), body]);
}

/**
 * A complete, playable MP4 (ftyp, moov, mdat): one sample per second of one IDR frame at 1 fps, and with `audio` an
 * AAC-LC track of silence of exactly the same length (mdhd durations: ms for video, seconds × 8000 for audio; the
 * last audio frame is counted short in stts so the sums match exactly). A fractional length is kept to the ms: the
 * last video sample is shorter.
 * @param {number} seconds (3–30 for the Kling family results; any positive length for inputs)
 * @param {string} [aspectRatio] '16:9' | '9:16' | '1:1' | '21:9' (HD: '16:9' | '9:16')
 * @param {boolean} [audio] add the silent audio track
 * @param {{ hd?: boolean }} [o] hd: 1280×720 / 720×1280 frames (sample inputs)
 */
export function buildMp4(seconds, aspectRatio = '16:9', audio = false, o = {}) {
	const key = `${seconds}:${aspectRatio}:${audio ? 'a' : '-'}${o.hd ? ':hd' : ''}`;
	const cached = mp4Cache.get(key);
	if (cached) return cached;
	const frame = o.hd
		? (FRAMES_HD[/** @type {keyof typeof FRAMES_HD} */ (aspectRatio)] ?? FRAMES_HD['16:9'])
		: (FRAMES[/** @type {keyof typeof FRAMES} */ (aspectRatio)] ?? FRAMES['16:9']);
	const nals = splitAnnexB(Buffer.from(frame.annexB, 'base64'));
	const sps = nals.find((n) => (n[0] & 0x1f) === 7);
	const pps = nals.find((n) => (n[0] & 0x1f) === 8);
	const idr = nals.find((n) => (n[0] & 0x1f) === 5);
	if (!sps || !pps || !idr) throw new Error('embedded H.264 frame is malformed');
	const sample = Buffer.concat([u32(idr.length), idr]);
	const timescale = 1000;
	// whole seconds: n samples of 1 s; a fractional length: the last sample is shorter (ms precision)
	const duration = Math.max(1, Math.round(seconds * timescale));
	const n = Math.ceil(duration / timescale);
	const lastVideoDelta = duration - (n - 1) * timescale;
	const { width, height } = frame;

	const ftyp = box('ftyp', Buffer.from('isom', 'ascii'), u32(0x200), Buffer.from('isomiso2avc1mp41', 'ascii'));
	const mvhd = fullBox('mvhd', 0, 0, u32(0, 0, timescale, duration, 0x00010000), u16(0x0100, 0), Buffer.alloc(8), MATRIX, Buffer.alloc(24), u32(audio ? 3 : 2));
	const tkhd = fullBox('tkhd', 0, 3, u32(0, 0, 1, 0, duration), Buffer.alloc(8), u16(0, 0, 0, 0), MATRIX, u32(width << 16, height << 16));
	const mdhd = fullBox('mdhd', 0, 0, u32(0, 0, timescale, duration), u16(0x55c4, 0));
	const hdlr = fullBox('hdlr', 0, 0, u32(0), Buffer.from('vide', 'ascii'), Buffer.alloc(12), Buffer.from('VideoHandler\0', 'ascii'));
	const vmhd = fullBox('vmhd', 0, 1, u16(0, 0, 0, 0));
	const dinf = box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
	const avcC = box('avcC', Buffer.from([1, sps[1], sps[2], sps[3], 0xff, 0xe1]), u16(sps.length), sps, Buffer.from([1]), u16(pps.length), pps);
	const compressor = Buffer.alloc(32);
	const avc1 = box(
		'avc1',
		Buffer.alloc(6),
		u16(1), // data_reference_index
		u16(0, 0),
		Buffer.alloc(12),
		u16(width, height),
		u32(0x00480000, 0x00480000, 0),
		u16(1),
		compressor,
		u16(0x0018, 0xffff),
		avcC,
	);
	const stsd = fullBox('stsd', 0, 0, u32(1), avc1);
	const stts = lastVideoDelta === timescale ? fullBox('stts', 0, 0, u32(1, n, timescale)) : n === 1 ? fullBox('stts', 0, 0, u32(1, 1, lastVideoDelta)) : fullBox('stts', 0, 0, u32(2, n - 1, timescale, 1, lastVideoDelta));
	const stsc = fullBox('stsc', 0, 0, u32(1, 1, n, 1));
	const stsz = fullBox('stsz', 0, 0, u32(sample.length, n));

	// audio track (track 2)
	const audioSamples = duration * (AUDIO_RATE / timescale);
	const aFrames = Math.ceil(audioSamples / AAC_FRAME_SAMPLES);
	const lastDelta = audioSamples - (aFrames - 1) * AAC_FRAME_SAMPLES;
	const buildAudioTrak = (/** @type {number} */ chunkOffset) => {
		const atkhd = fullBox('tkhd', 0, 3, u32(0, 0, 2, 0, duration), Buffer.alloc(8), u16(0, 1, 0x0100, 0), MATRIX, u32(0, 0));
		const amdhd = fullBox('mdhd', 0, 0, u32(0, 0, AUDIO_RATE, audioSamples), u16(0x55c4, 0));
		const ahdlr = fullBox('hdlr', 0, 0, u32(0), Buffer.from('soun', 'ascii'), Buffer.alloc(12), Buffer.from('SoundHandler\0', 'ascii'));
		const smhd = fullBox('smhd', 0, 0, u16(0, 0));
		const decSpecific = descriptor(0x05, AAC_ASC);
		const decConfig = descriptor(0x04, Buffer.from([0x40, 0x15]), Buffer.from([0, 0, AAC_SILENT_FRAME.length]), u32(8000, 250), decSpecific);
		const esDesc = descriptor(0x03, u16(2), Buffer.from([0]), decConfig, descriptor(0x06, Buffer.from([0x02])));
		const esds = fullBox('esds', 0, 0, esDesc);
		const mp4a = box('mp4a', Buffer.alloc(6), u16(1), u32(0, 0), u16(1, 16, 0, 0), u32(AUDIO_RATE << 16), esds);
		const astsd = fullBox('stsd', 0, 0, u32(1), mp4a);
		const astts =
			lastDelta === AAC_FRAME_SAMPLES
				? fullBox('stts', 0, 0, u32(1, aFrames, AAC_FRAME_SAMPLES))
				: fullBox('stts', 0, 0, u32(2, aFrames - 1, AAC_FRAME_SAMPLES, 1, lastDelta));
		const astsc = fullBox('stsc', 0, 0, u32(1, 1, aFrames, 1));
		const astsz = fullBox('stsz', 0, 0, u32(AAC_SILENT_FRAME.length, aFrames));
		const astco = fullBox('stco', 0, 0, u32(1, chunkOffset));
		const astbl = box('stbl', astsd, astts, astsc, astsz, astco);
		return box('trak', atkhd, box('mdia', amdhd, ahdlr, box('minf', smhd, dinf, astbl)));
	};
	const videoBytes = sample.length * n;
	const buildMoov = (/** @type {number} */ chunkOffset) => {
		const stco = fullBox('stco', 0, 0, u32(1, chunkOffset));
		const stbl = box('stbl', stsd, stts, stsc, stsz, stco);
		const minf = box('minf', vmhd, dinf, stbl);
		const mdia = box('mdia', mdhd, hdlr, minf);
		const trak = box('trak', tkhd, mdia);
		return audio ? box('moov', mvhd, trak, buildAudioTrak(chunkOffset + videoBytes)) : box('moov', mvhd, trak);
	};
	const moovSize = buildMoov(0).length;
	const moov = buildMoov(ftyp.length + moovSize + 8);
	const samples = Buffer.alloc(videoBytes + (audio ? AAC_SILENT_FRAME.length * aFrames : 0));
	for (let i = 0; i < n; i++) sample.copy(samples, i * sample.length);
	if (audio) for (let i = 0; i < aFrames; i++) AAC_SILENT_FRAME.copy(samples, videoBytes + i * AAC_SILENT_FRAME.length);
	const mdat = box('mdat', samples);
	const out = Buffer.concat([ftyp, moov, mdat]);
	mp4Cache.set(key, out);
	return out;
}

/**
 * Plan an MP4 of (about) `totalBytes`: the base file followed by a `free` box of padding.
 * If totalBytes is smaller than base + 8, the base file alone is used.
 * @param {number} seconds @param {string} aspectRatio @param {number} totalBytes @param {boolean} [audio]
 * @returns {{ head: Buffer, padBytes: number, size: number }} head = base file + free-box header;
 *   then padBytes zero bytes follow
 */
export function planMp4(seconds, aspectRatio, totalBytes = 0, audio = false) {
	const base = buildMp4(seconds, aspectRatio, audio);
	if (!totalBytes || totalBytes < base.length + 8) return { head: base, padBytes: 0, size: base.length };
	const freeTotal = totalBytes - base.length;
	let header;
	if (freeTotal <= 0xffffffff) {
		header = Buffer.alloc(8);
		header.writeUInt32BE(freeTotal, 0);
		header.write('free', 4, 'ascii');
	} else {
		header = Buffer.alloc(16);
		header.writeUInt32BE(1, 0);
		header.write('free', 4, 'ascii');
		header.writeBigUInt64BE(BigInt(freeTotal), 8);
		if (freeTotal < 16) throw new Error('unreachable');
	}
	return { head: Buffer.concat([base, header]), padBytes: freeTotal - header.length, size: totalBytes };
}

const ZERO_CHUNK = Buffer.alloc(256 * 1024);

/**
 * Write `head` then `padBytes` zero bytes to a writable (HTTP response), respecting backpressure.
 * Never allocates more than one 256 KiB chunk. Stops early after `limit` bytes (truncation fault).
 * With `throttle` the bytes trickle at `bytesPerSecond` (slices every 50 ms; slow-download fault).
 * @param {import('node:http').ServerResponse} res
 * @param {Buffer} head @param {number} padBytes @param {number} [limit]
 * @param {{ bytesPerSecond: number, sleep: (ms: number) => Promise<unknown>, closed: () => boolean }} [throttle]
 * @returns {Promise<number>} bytes written
 */
export async function writeMp4(res, head, padBytes, limit = Infinity, throttle) {
	let written = 0;
	const total = head.length + padBytes;
	const cap = Math.min(total, limit);
	if (throttle) {
		const slice = Math.max(1, Math.round(throttle.bytesPerSecond / 20));
		const started = Date.now();
		while (written < cap) {
			if (res.destroyed || throttle.closed()) throw new Error('socket closed');
			const n = Math.min(slice, cap - written);
			const chunk = written < head.length ? head.subarray(written, Math.min(head.length, written + n)) : ZERO_CHUNK.subarray(0, Math.min(n, ZERO_CHUNK.length));
			res.write(chunk);
			written += chunk.length;
			// keep the average rate: wait until `written` bytes are due
			const due = started + (written / throttle.bytesPerSecond) * 1000;
			await throttle.sleep(Math.max(0, due - Date.now()));
		}
		return written;
	}
	const write = (/** @type {Buffer} */ chunk) =>
		new Promise((resolve, reject) => {
			if (res.destroyed) return reject(new Error('socket closed'));
			const ok = res.write(chunk);
			written += chunk.length;
			if (ok) return resolve(undefined);
			const onDrain = () => {
				cleanup();
				resolve(undefined);
			};
			const onClose = () => {
				cleanup();
				reject(new Error('socket closed'));
			};
			const cleanup = () => {
				res.off('drain', onDrain);
				res.off('close', onClose);
			};
			res.on('drain', onDrain);
			res.on('close', onClose);
		});
	await write(head.subarray(0, Math.min(head.length, cap)));
	while (written < cap) {
		const n = Math.min(ZERO_CHUNK.length, cap - written);
		await write(n === ZERO_CHUNK.length ? ZERO_CHUNK : ZERO_CHUNK.subarray(0, n));
	}
	return written;
}

/* ------------------------------------------------------------------ audio samples */

/**
 * A PCM WAV file (16-bit) holding a quiet 440 Hz tone of exactly `seconds`.
 * @param {number} seconds @param {{ rate?: number, channels?: number }} [o]
 */
export function makeWav(seconds, o = {}) {
	const rate = o.rate ?? 16000;
	const channels = o.channels ?? 1;
	const frames = Math.round(seconds * rate);
	const dataBytes = frames * channels * 2;
	const b = Buffer.alloc(44 + dataBytes);
	b.write('RIFF', 0, 'ascii');
	b.writeUInt32LE(36 + dataBytes, 4);
	b.write('WAVE', 8, 'ascii');
	b.write('fmt ', 12, 'ascii');
	b.writeUInt32LE(16, 16);
	b.writeUInt16LE(1, 20); // PCM
	b.writeUInt16LE(channels, 22);
	b.writeUInt32LE(rate, 24);
	b.writeUInt32LE(rate * channels * 2, 28); // byte rate
	b.writeUInt16LE(channels * 2, 32); // block align
	b.writeUInt16LE(16, 34);
	b.write('data', 36, 'ascii');
	b.writeUInt32LE(dataBytes, 40);
	for (let i = 0; i < frames; i++) {
		const v = Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 2000);
		for (let c = 0; c < channels; c++) b.writeInt16LE(v, 44 + (i * channels + c) * 2);
	}
	return b;
}

/*
 * MP3: MPEG-1 Layer III, 48 kHz, mono, 32 kbit/s, no CRC → 96-byte frames of 1152 samples (24 ms). Side info and
 * main data all zero = a valid frame of digital silence. Lengths that are multiples of 3 s are exact (125 frames).
 */
const MP3_FRAME = (() => {
	const f = Buffer.alloc(96);
	f.writeUInt32BE(0xfffb14c4); // sync, MPEG-1, Layer III, no CRC, 32 kbps (idx 1), 48 kHz (idx 1), no padding, mono
	return f;
})();
/** @param {number} seconds */
export function makeMp3(seconds) {
	const frames = Math.max(1, Math.round((seconds * 48000) / 1152));
	const id3 = Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0]); // empty ID3v2.4 tag, as most encoders write one
	return Buffer.concat([id3, ...Array.from({ length: frames }, () => MP3_FRAME)]);
}

/* ------------------------------------------------------------------ probing inputs */

/**
 * @typedef {{ kind: 'image'|'video'|'audio'|'other', mime: string, bytes: number, duration: number | null,
 *   audio: boolean | null, width: number | null, height: number | null }} MediaProbe
 * duration in seconds (ms precision), audio = the file has a sound track (videos; always true for audio files).
 */

/** @param {Buffer} b @param {number} start @param {number} end @returns {{ type: string, start: number, end: number }[]} */
function boxesIn(b, start, end) {
	const out = [];
	let off = start;
	while (off + 8 <= end) {
		let size = b.readUInt32BE(off);
		const type = b.toString('latin1', off + 4, off + 8);
		let head = 8;
		if (size === 1 && off + 16 <= end) {
			size = Number(b.readBigUInt64BE(off + 8));
			head = 16;
		} else if (size === 0) size = end - off;
		if (size < head) break;
		out.push({ type, start: off + head, end: Math.min(off + size, end) });
		off += size;
	}
	return out;
}

/** @param {Buffer} b @param {MediaProbe} p */
function probeMp4(b, p) {
	const moov = boxesIn(b, 0, b.length).find((x) => x.type === 'moov');
	if (!moov) return;
	const kids = boxesIn(b, moov.start, moov.end);
	const mvhd = kids.find((x) => x.type === 'mvhd');
	if (mvhd) {
		const v1 = b[mvhd.start] === 1;
		const ts = b.readUInt32BE(mvhd.start + (v1 ? 20 : 12));
		const dur = v1 ? Number(b.readBigUInt64BE(mvhd.start + 24)) : b.readUInt32BE(mvhd.start + 16);
		if (ts) p.duration = Math.round((dur / ts) * 1000) / 1000;
	}
	p.audio = false;
	for (const trak of kids.filter((x) => x.type === 'trak')) {
		const parts = boxesIn(b, trak.start, trak.end);
		const mdia = parts.find((x) => x.type === 'mdia');
		const hdlr = mdia && boxesIn(b, mdia.start, mdia.end).find((x) => x.type === 'hdlr');
		const handler = hdlr ? b.toString('latin1', hdlr.start + 8, hdlr.start + 12) : '';
		if (handler === 'soun') p.audio = true;
		const tkhd = parts.find((x) => x.type === 'tkhd');
		if (handler === 'vide' && tkhd && p.width === null) {
			const off = tkhd.start + (b[tkhd.start] === 1 ? 88 : 76);
			p.width = b.readUInt32BE(off) / 65536;
			p.height = b.readUInt32BE(off + 4) / 65536;
		}
	}
}

/** @param {Buffer} b @param {MediaProbe} p */
function probeWav(b, p) {
	let byteRate = 0;
	for (let off = 12; off + 8 <= b.length; ) {
		const id = b.toString('ascii', off, off + 4);
		const size = b.readUInt32LE(off + 4);
		if (id === 'fmt ' && off + 20 <= b.length) byteRate = b.readUInt32LE(off + 16);
		if (id === 'data' && byteRate) {
			p.duration = Math.round((Math.min(size, b.length - off - 8) / byteRate) * 1000) / 1000;
			return;
		}
		off += 8 + size + (size & 1);
	}
}

const MP3_BITRATES = {
	v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
	v1l2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
	v2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MP3_RATES = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** Counts MPEG audio frames (Layer II/III) after an optional ID3v2 tag. @param {Buffer} b @param {MediaProbe} p */
function probeMp3(b, p) {
	let off = 0;
	if (b.length >= 10 && b.toString('ascii', 0, 3) === 'ID3') off = 10 + (((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f));
	let samples = 0;
	let rate = 0;
	while (off + 4 <= b.length) {
		const h = b.readUInt32BE(off);
		if ((h & 0xffe00000) >>> 0 !== 0xffe00000) break;
		const version = (h >>> 19) & 3; // 3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5
		const layer = (h >>> 17) & 3; // 1 Layer III, 2 Layer II
		const bi = (h >>> 12) & 15;
		const si = (h >>> 10) & 3;
		const pad = (h >>> 9) & 1;
		if (version === 1 || (layer !== 1 && layer !== 2) || bi === 0 || bi === 15 || si === 3) break;
		const sr = MP3_RATES[/** @type {3|2|0} */ (version)][si];
		const table = version === 3 ? (layer === 1 ? MP3_BITRATES.v1l3 : MP3_BITRATES.v1l2) : MP3_BITRATES.v2;
		const br = table[bi] * 1000;
		const spf = layer === 2 || version === 3 ? 1152 : 576;
		const len = Math.floor(((spf / 8) * br) / sr) + pad;
		if (len < 4) break;
		samples += spf;
		rate = sr;
		off += len;
	}
	if (rate) p.duration = Math.round((samples / rate) * 1000) / 1000;
}

/**
 * What an input file holds: kind, size, length and whether a video has a sound track (the emulator's own reader,
 * independent of the tests' MP4 box reader).
 * @param {Buffer} buf @returns {MediaProbe}
 */
export function probeMedia(buf) {
	const s = sniff(buf);
	/** @type {MediaProbe} */
	const p = { kind: s.kind, mime: s.mime, bytes: buf.length, duration: null, audio: null, width: null, height: null };
	try {
		if (s.mime === 'image/png' && buf.length >= 24) {
			p.width = buf.readUInt32BE(16);
			p.height = buf.readUInt32BE(20);
		} else if (s.kind === 'video' || s.mime === 'audio/mp4') probeMp4(buf, p);
		else if (s.mime === 'audio/wav') probeWav(buf, p);
		else if (s.mime === 'audio/mpeg') probeMp3(buf, p);
		if (s.kind === 'audio') p.audio = true;
	} catch {
		/* a damaged file: what was read so far */
	}
	return p;
}

/** The nearest of the emulator's result aspect ratios for a width × height. @param {number | null} w @param {number | null} h */
export function aspectOf(w, h) {
	if (!w || !h) return '16:9';
	const r = w / h;
	if (r > 2.1) return '21:9';
	if (r > 1.15) return '16:9';
	if (r < 0.87) return '9:16';
	return '1:1';
}
