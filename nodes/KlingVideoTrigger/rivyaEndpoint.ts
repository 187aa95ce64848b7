import { NodeOperationError, type IHookFunctions } from 'n8n-workflow';
import { rivya } from '../shared/providers/rivya';
import { callProvider, providerEndpoint } from '../shared/engine/transport';

/**
 * Rivya has no per-task callback URL: completions go to account-level endpoints (PROVIDERS.md
 * §4.5). Activating the trigger registers its URL as one; the endpoint id lives in the node's static
 * data. Rivya's signing scheme is not documented, so its signing secret is not kept: callbacks are
 * checked by the URL token and then re-read from the API.
 */
export async function registerRivyaEndpoint(ctx: IHookFunctions): Promise<void> {
	const endpoint = await providerEndpoint(ctx, rivya);
	const url = ctx.getNodeWebhookUrl('default');
	const answer = await callProvider(ctx, endpoint, {
		method: 'POST',
		path: '/api/v1/webhooks',
		body: {
			name: 'n8n Kling Video Trigger',
			url,
			event_types: ['generation.succeeded', 'generation.failed'],
		},
	});
	const id = (answer.body as { id?: unknown } | null)?.id;
	if (answer.statusCode >= 300 || typeof id !== 'string') {
		const detail = JSON.stringify(
			(answer.body as { error?: unknown } | null)?.error ?? answer.body,
		);
		throw new NodeOperationError(
			ctx.getNode(),
			`Rivya AI did not register ${url} as a webhook endpoint (HTTP ${answer.statusCode}): ${detail}`,
			{
				description:
					'Rivya accepts only public HTTPS URLs. Set WEBHOOK_URL for this n8n, or turn off "Register Rivya Endpoint" and register the URL yourself.',
			},
		);
	}
	ctx.getWorkflowStaticData('node').rivyaEndpointId = id;
}

export async function rivyaEndpointExists(ctx: IHookFunctions): Promise<boolean> {
	const id = ctx.getWorkflowStaticData('node').rivyaEndpointId;
	if (typeof id !== 'string') return false;
	const endpoint = await providerEndpoint(ctx, rivya);
	const answer = await callProvider(ctx, endpoint, {
		method: 'GET',
		path: `/api/v1/webhooks/${encodeURIComponent(id)}`,
	});
	return answer.statusCode === 200;
}

export async function removeRivyaEndpoint(ctx: IHookFunctions): Promise<void> {
	const staticData = ctx.getWorkflowStaticData('node');
	const id = staticData.rivyaEndpointId;
	if (typeof id !== 'string') return;
	const endpoint = await providerEndpoint(ctx, rivya);
	const answer = await callProvider(ctx, endpoint, {
		method: 'DELETE',
		path: `/api/v1/webhooks/${encodeURIComponent(id)}`,
	});
	if (answer.statusCode >= 300 && answer.statusCode !== 404) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Rivya AI did not delete webhook endpoint ${id} (HTTP ${answer.statusCode}); remove it in the Rivya dashboard`,
		);
	}
	delete staticData.rivyaEndpointId;
}
