/**
 * A value that goes into a URL path, each `/`-separated segment percent-encoded: a model id such as
 * `kwaivgi/kling-v2.5-turbo-pro` stays two segments, while `?`, `#`, `%`, spaces and the like cannot
 * change the request. (`.` and `..` segments are not encoded by anyone: callers refuse them.)
 */
export function pathSegments(value: string): string {
	return value.split('/').map(encodeURIComponent).join('/');
}
