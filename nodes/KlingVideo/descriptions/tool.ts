/**
 * What an AI Agent reads about the node when it is used as a tool (`usableAsTool.replacements`):
 * the Kling Video Tool's description in n8n's node creator, and the text templates/ai-agent-kling-tool.json
 * sets as its Tool Description. It is written for the Generate operation, which the tool starts with.
 * (With "Tool Description: Set Automatically", n8n sends "<operation action> in Kling Video" instead.)
 */
export const agentToolDescription = [
	'Makes one short AI video with Kling from a text prompt and returns its link.',
	'Each call starts ONE paid generation and waits until it is done (usually 1 to 5 minutes):',
	'call it once per video you need, never to retry or to check on a video.',
	'Write the whole scene into the prompt: subject, action, camera movement, lighting and mood;',
	'the model, length and aspect ratio are set in the node.',
	'Returns JSON with status ("succeeded" or "failed"), taskId, videoUrl (the MP4 link; provider links expire,',
	'on some providers within an hour, so hand it on at once) and error.',
	'If the result is an error or its status is not "succeeded", do not call the tool again:',
	'report the error message and the taskId it names (a task that timed out or whose download failed',
	'can still be fetched later with that taskId, without paying again).',
].join(' ');
