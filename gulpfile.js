// The build's asset step: tsc compiles the TypeScript and emits the codex JSON; this copies the
// icons the node and credentials reference with `file:` paths, which tsc does not touch.
const { src, dest } = require('gulp');

function buildIcons() {
	return src(['icons/**/*.{png,svg}', 'nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:assets'] = buildIcons;
