import type { Dispatcher } from 'undici';
import type { OperationResult } from '../contract.js';
import { REQUEST_ID_HEADER, headerText } from '../request-shape.js';

/**
 * Reads an undici response to the end. The body is always consumed or destroyed: a body left unread keeps its
 * socket busy, and the pool would leak it.
 */
export async function readUndiciResponse(response: Dispatcher.ResponseData): Promise<OperationResult> {
  try {
    const body = await response.body.text();
    return { status: response.statusCode, requestId: headerText(response.headers[REQUEST_ID_HEADER]), body };
  } catch (error) {
    response.body.destroy();
    throw error;
  }
}
