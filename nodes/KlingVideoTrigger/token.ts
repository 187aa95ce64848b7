const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,}$/;

/** Why a callback token is unusable, or null when it is fine. */
export function checkToken(token: string | undefined): string | null {
	if (!token) return 'Set a Callback Token: at least 16 letters, digits, - or _';
	if (!TOKEN_PATTERN.test(token)) {
		return 'The Callback Token must be at least 16 characters of letters, digits, - or _ (it is part of a URL)';
	}
	return null;
}
