import { randomBytes } from 'crypto';
import type { ProviderRequest, UploadFile } from './types';

/** A multipart/form-data POST with text fields and one file, built by hand (no form-data dependency). */
export function multipartUpload(
	path: string,
	fileField: string,
	file: UploadFile,
	fields: Record<string, string> = {},
	uploadHost = false,
): ProviderRequest {
	const boundary = `----klingvideo${randomBytes(12).toString('hex')}`;
	const parts: Buffer[] = [];
	for (const [name, value] of Object.entries(fields)) {
		parts.push(
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
			),
		);
	}
	const safeName = file.fileName.replace(/["\r\n]/g, '_');
	parts.push(
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="${safeName}"\r\n` +
				`Content-Type: ${file.mimeType}\r\n\r\n`,
		),
		file.data,
		Buffer.from(`\r\n--${boundary}--\r\n`),
	);
	return {
		method: 'POST',
		path,
		body: Buffer.concat(parts),
		headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
		uploadHost,
	};
}
