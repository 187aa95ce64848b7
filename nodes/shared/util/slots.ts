/**
 * A fixed number of slots: at most `size` steps run at once, whatever Concurrency says. Image uploads
 * (so the bytes of a big batch's images are never all in memory together), HTTP requests to the
 * provider and video downloads of one run (so a batch of 1,000 items does not open 1,000 sockets and
 * files at once).
 */
export class Slots {
	private free: number;
	private queue: Array<() => void> = [];

	constructor(size: number) {
		this.free = size;
	}

	async run<T>(step: () => Promise<T>): Promise<T> {
		if (this.free > 0) this.free--;
		else await new Promise<void>((resolve) => this.queue.push(resolve));
		try {
			return await step();
		} finally {
			const next = this.queue.shift();
			if (next) next();
			else this.free++;
		}
	}
}
